//! DevTools HAR files.
