//! Styles. Colour only ever repeats what an icon or a word already says, so NO_COLOR and
//! monochrome terminals lose nothing.

use ratatui::style::{Color, Modifier, Style};

use crate::probe::Verdict;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(monochrome: bool) -> Self {
        Self { color: !monochrome }
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn verdict(self, v: Verdict) -> Style {
        match v {
            Verdict::Ok => self.fg(Color::Green),
            Verdict::Info => self.fg(Color::Blue),
            Verdict::Warn => self.fg(Color::Yellow),
            Verdict::Fail => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn suggested(self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub(crate) fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub(crate) fn focus(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
}
