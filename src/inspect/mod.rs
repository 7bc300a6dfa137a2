//! A preview of a pickled value that never runs it, for `python -m frappe_cache inspect`.
//!
//! [`preview`] walks the pickle opcodes with a stack machine that *describes* what
//! `pickle.loads` would build instead of building it: `REDUCE`, `NEWOBJ`, `NEWOBJ_EX`, `OBJ`,
//! `INST` and `BUILD` make nodes that name the callable or class with its arguments and state,
//! nothing is called and no module is imported. So a Redis you do not trust can be inspected.
//!
//! Values live in one arena and are shared the way Python shares objects (the memo and `DUP`
//! push the same node), so the walk is linear in the input; the arena, stack and memo have
//! fixed caps, and rendering stops at `max_len` characters and at a fixed depth. Nothing here
//! recurses per level of the input, so no input can overflow the stack.
//!
//! Why this walker rather than `serde_pickle::value_from_slice` (measured on serde-pickle 1.2.0;
//! the crate is only a test oracle here, see the tests): it reads the protocol-5 header fine
//! (`PROTO` only skips the version byte) and knows `BYTEARRAY8`, the one protocol-5 opcode that
//! `pickle.dumps` emits without a `buffer_callback`, so protocol 5 needs no rewriting. But
//! - its value conversion recurses per nesting level: a 60 kB pickle of 30 000 nested lists
//!   overflows an 8 MB stack and aborts the process (not a panic: nothing can catch it);
//! - `DUP` deep-copies the value, so each `DUP, TUPLE2` pair doubles it: a 52-byte pickle takes
//!   5 s in a release build, and every 2 more bytes double the time and memory;
//! - its memo counts references per occurrence in the stream, so legitimately shared structure
//!   (`a = [1]; x = [a, a]; [x, x]`) fails with `Recursive`;
//! - its `Value` has no room for a class name, for the arguments of `REDUCE` or for dict order:
//!   a `frappe._dict` or a Document loses its class, and a datetime or Decimal field is either an
//!   error or `None` (`replace_unresolved_globals`), which would be a wrong preview.

use std::borrow::Cow;

mod render;
#[cfg(test)]
mod tests;
mod walker;

use render::{Out, render};
use walker::{Id, Machine, Node, type_name};

/// What [`preview`] makes of a pickled value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The Python type of the top value (`"dict"`, `"str"`, `"None"`, ...), the dotted name of
    /// the class or callable that builds it (`"frappe._dict"`, `"datetime.datetime"`), `"global"`
    /// for a bare class or function reference, or `"opaque"` when the bytes cannot be decoded.
    pub kind: Cow<'static, str>,
    /// A `repr`-like preview of at most `max_len` characters, ending with `…` when cut; for
    /// `"opaque"`, the reason.
    pub text: String,
}

/// Decodes `data` (the bytes of `pickle.dumps(value)`, any protocol 0–5) without running any of
/// it and describes the value in at most `max_len` characters. Never panics.
pub fn preview(data: &[u8], max_len: usize) -> Preview {
    // Belt and braces: the walker is written not to panic, but a preview is never worth a crash.
    std::panic::catch_unwind(|| preview_unchecked(data, max_len))
        .unwrap_or_else(|_| opaque("internal error while decoding", max_len))
}

fn preview_unchecked(data: &[u8], max_len: usize) -> Preview {
    match Machine::new(data).run() {
        Ok((nodes, root)) => Preview {
            kind: kind_of(&nodes, root),
            text: render(&nodes, root, max_len),
        },
        Err(reason) => opaque(&reason, max_len),
    }
}

fn opaque(reason: &str, max_len: usize) -> Preview {
    let mut out = Out::new(max_len);
    out.push_str(reason);
    Preview {
        kind: Cow::Borrowed("opaque"),
        text: out.finish(),
    }
}

// ----------------------------------------------------------------------------------------------
// Kind

fn kind_of(nodes: &[Node], root: Id) -> Cow<'static, str> {
    match nodes.get(root as usize) {
        Some(Node::Object(object)) => match nodes.get(object.class as usize) {
            Some(Node::Global(module, name)) => class_kind(module, name),
            _ => Cow::Borrowed("object"),
        },
        other => Cow::Borrowed(type_name(other)),
    }
}

/// `module.qualname`, or `"object"` when it is not a plain dotted name (the text still shows it).
fn class_kind(module: &[u8], name: &[u8]) -> Cow<'static, str> {
    let dotted = |b: &[u8]| {
        !b.is_empty()
            && b.iter()
                .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
    };
    if !dotted(module) || !dotted(name) || module.len() + name.len() > 200 {
        return Cow::Borrowed("object");
    }
    Cow::Owned(format!(
        "{}.{}",
        String::from_utf8_lossy(module),
        String::from_utf8_lossy(name)
    ))
}
