//! Placeholder until the safe pickle previewer lands.
pub struct Preview {
    pub kind: &'static str,
    pub text: String,
}
pub fn preview(_data: &[u8], _max_len: usize) -> Preview {
    Preview { kind: "opaque", text: String::new() }
}
