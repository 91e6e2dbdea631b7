//! A one-line text field: typing, paste, cursor moves, and masking for secrets.

/// The character drawn for each character of a masked secret.
pub(crate) const MASK: char = '•';

/// An editable line. The cursor counts characters, not bytes. A secret's text never shows in
/// `Debug` (only its length), from the first key press on.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    cursor: usize,
    /// Masked unless revealed: set for secret and token inputs.
    pub secret: bool,
    pub revealed: bool,
}

impl std::fmt::Debug for LineEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("LineEdit");
        if self.secret {
            d.field("text", &crate::secret::Secret::new(self.text.as_str()));
        } else {
            d.field("text", &self.text);
        }
        d.field("cursor", &self.cursor)
            .field("secret", &self.secret)
            .field("revealed", &self.revealed)
            .finish()
    }
}

/// Longest value a field keeps: a pasted JWT with many claims fits, a pasted file does not.
pub(crate) const MAX_CHARS: usize = 16 * 1024;

impl LineEdit {
    pub fn new(text: &str, secret: bool) -> Self {
        let mut f = Self {
            secret,
            ..Self::default()
        };
        f.insert_str(text);
        f
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn len_chars(&self) -> usize {
        self.text.chars().count()
    }

    pub fn insert(&mut self, c: char) {
        if c.is_control() || self.len_chars() >= MAX_CHARS {
            return;
        }
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Inserts pasted text; line ends and other control characters are dropped, because a
    /// field holds one line and a copied token often ends with a newline.
    pub(crate) fn insert_str(&mut self, s: &str) {
        for c in s.chars() {
            self.insert(c);
        }
    }

    pub(crate) fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    pub(crate) fn delete(&mut self) {
        if self.cursor < self.len_chars() {
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len_chars());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.len_chars();
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// What may be drawn: the text, or one mask character per character.
    pub fn shown(&self) -> String {
        if self.secret && !self.revealed {
            std::iter::repeat_n(MASK, self.len_chars()).collect()
        } else {
            self.text.clone()
        }
    }

    /// The part of [`Self::shown`] that fits in `width` columns with the cursor visible, and
    /// the cursor's column within it.
    pub fn window(&self, width: usize) -> (String, usize) {
        let shown: Vec<char> = self.shown().chars().collect();
        let width = width.max(1);
        let start = (self.cursor + 1).saturating_sub(width);
        let visible: String = shown.iter().skip(start).take(width).collect();
        (visible, self.cursor - start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_moves_the_cursor_by_characters() {
        let mut f = LineEdit::new("héllo", false);
        f.left();
        f.left();
        f.backspace();
        assert_eq!(f.text(), "hélo");
        f.home();
        f.delete();
        assert_eq!(f.text(), "élo");
        f.end();
        f.insert('!');
        assert_eq!(f.text(), "élo!");
    }

    #[test]
    fn paste_drops_line_ends() {
        let mut f = LineEdit::new("", true);
        f.insert_str("eyJ.abc\r\n");
        assert_eq!(f.text(), "eyJ.abc");
    }

    #[test]
    fn secrets_are_masked_until_revealed() {
        let mut f = LineEdit::new("hunter2", true);
        assert_eq!(f.shown(), "•••••••");
        assert!(!format!("{f:?}").contains("hunter2"), "{f:?}");
        f.revealed = true;
        assert_eq!(f.shown(), "hunter2");
    }

    #[test]
    fn window_keeps_the_cursor_visible() {
        let f = LineEdit::new("abcdefghij", false);
        assert_eq!(f.window(4), ("hij".to_owned(), 3));
        let g = LineEdit::new("ab", false);
        assert_eq!(g.window(10), ("ab".to_owned(), 2));
    }

    #[test]
    fn a_huge_paste_is_bounded() {
        let mut f = LineEdit::new("", false);
        f.insert_str(&"x".repeat(MAX_CHARS + 10));
        assert_eq!(f.text().len(), MAX_CHARS);
    }
}
