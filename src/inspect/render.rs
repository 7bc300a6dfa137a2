//! Turns the walker's arena into a `repr`-like text of at most `max_len` characters: dicts,
//! lists, sets, objects by class name with their state, datetimes and decimals as Python
//! writes them, shared and recursive structure without looping.

use super::walker::*;

// ----------------------------------------------------------------------------------------------
// Text

/// Text that stops growing at `max_len + 1` characters; `finish` cuts it to `max_len` with `…`.
pub(super) struct Out {
    text: String,
    chars: usize,
    max_len: usize,
}

impl Out {
    pub(super) fn new(max_len: usize) -> Self {
        Out {
            text: String::new(),
            chars: 0,
            max_len: max_len.min(MAX_TEXT),
        }
    }

    pub(super) fn full(&self) -> bool {
        self.chars > self.max_len
    }

    pub(super) fn room(&self) -> usize {
        (self.max_len + 1).saturating_sub(self.chars)
    }

    pub(super) fn push(&mut self, c: char) {
        if !self.full() {
            self.text.push(c);
            self.chars += 1;
        }
    }

    pub(super) fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            if self.full() {
                break;
            }
            self.text.push(c);
            self.chars += 1;
        }
    }

    pub(super) fn finish(mut self) -> String {
        if self.chars > self.max_len {
            let keep = self.max_len.saturating_sub(1);
            let cut = self
                .text
                .char_indices()
                .nth(keep)
                .map_or(self.text.len(), |(i, _)| i);
            self.text.truncate(cut);
            if self.max_len > 0 {
                self.text.push('…');
            }
        }
        self.text
    }
}

pub(super) fn render(nodes: &[Node], root: Id, max_len: usize) -> String {
    let mut r = Renderer {
        nodes,
        out: Out::new(max_len),
        path: Vec::new(),
    };
    r.value(root);
    r.out.finish()
}

pub(super) struct Renderer<'n, 'a> {
    nodes: &'n [Node<'a>],
    out: Out,
    /// The containers being rendered, outermost first: for depth and cycles.
    path: Vec<Id>,
}

impl<'n, 'a> Renderer<'n, 'a> {
    fn node(&self, id: Id) -> Option<&'n Node<'a>> {
        self.nodes.get(id as usize)
    }

    fn value(&mut self, id: Id) {
        if self.out.full() {
            return;
        }
        let Some(node) = self.node(id) else {
            self.out.push('?');
            return;
        };
        match node {
            Node::None => self.out.push_str("None"),
            Node::Bool(true) => self.out.push_str("True"),
            Node::Bool(false) => self.out.push_str("False"),
            Node::Int(i) => self.out.push_str(&i.to_string()),
            Node::BigInt(b) => self.out.push_str(&le_to_decimal(b)),
            Node::DecInt(s) => self.out.push_str(s),
            Node::Float(f) => self.out.push_str(&py_float(*f)),
            Node::Str(s) => self.str_repr(s),
            Node::Bytes(b, false) => self.bytes_repr(b, false),
            Node::Bytes(b, true) => {
                self.out.push_str("bytearray(");
                self.bytes_repr(b, true);
                self.out.push(')');
            }
            Node::Global(module, name) => self.global(module, name),
            _ => {
                if self.path.contains(&id) {
                    self.out.push_str(match node {
                        Node::List(_) => "[...]",
                        Node::Dict(_) => "{...}",
                        _ => "...",
                    });
                    return;
                }
                if self.path.len() >= MAX_DEPTH {
                    self.out.push('…');
                    return;
                }
                self.path.push(id);
                self.container(id, node);
                self.path.pop();
            }
        }
    }

    fn container(&mut self, id: Id, node: &'n Node<'a>) {
        match node {
            Node::List(items) => self.seq("[", items, "]"),
            Node::Tuple(items) => {
                self.out.push('(');
                self.items(items);
                if items.len() == 1 {
                    self.out.push(',');
                }
                self.out.push(')');
            }
            Node::Dict(pairs) => self.dict(pairs),
            Node::Set(items) if items.is_empty() => self.out.push_str("set()"),
            Node::Set(items) => self.seq("{", items, "}"),
            Node::FrozenSet(items) if items.is_empty() => self.out.push_str("frozenset()"),
            Node::FrozenSet(items) => self.seq("frozenset({", items, "})"),
            Node::Object(object) => self.object(id, object),
            _ => {}
        }
    }

    fn seq(&mut self, open: &str, items: &[Id], close: &str) {
        self.out.push_str(open);
        self.items(items);
        self.out.push_str(close);
    }

    fn items(&mut self, items: &[Id]) {
        for (i, &item) in items.iter().enumerate() {
            if self.out.full() {
                return;
            }
            if i > 0 {
                self.out.push_str(", ");
            }
            self.value(item);
        }
    }

    fn dict(&mut self, pairs: &[(Id, Id)]) {
        self.out.push('{');
        for (i, &(key, value)) in pairs.iter().enumerate() {
            if self.out.full() {
                return;
            }
            if i > 0 {
                self.out.push_str(", ");
            }
            self.value(key);
            self.out.push_str(": ");
            self.value(value);
        }
        self.out.push('}');
    }

    fn global(&mut self, module: &[u8], name: &[u8]) {
        self.out.push_str(&String::from_utf8_lossy(module));
        self.out.push('.');
        self.out.push_str(&String::from_utf8_lossy(name));
    }

    /// `module.Class(args..., [items], {pairs}, attr=value...)`, or the stdlib's own repr for the
    /// date, time and Decimal values Frappe caches most.
    fn object(&mut self, id: Id, object: &'n Object) {
        if object.called && self.stdlib_value(object) {
            return;
        }
        match self.node(object.class) {
            Some(Node::Global(module, name)) => self.global(module, name),
            _ => self.value(object.class),
        }
        self.out.push('(');
        let mut parts = Parts::default();
        if let Some(args) = object.args {
            match self.node(args) {
                Some(Node::Tuple(items)) => {
                    for &arg in items {
                        parts.next(self);
                        self.value(arg);
                    }
                }
                _ => {
                    parts.next(self);
                    self.out.push('*');
                    self.value(args);
                }
            }
        }
        if let Some(kwargs) = object.kwargs {
            self.keywords(kwargs, "**", &mut parts);
        }
        if !object.items.is_empty() {
            parts.next(self);
            self.seq("[", &object.items, "]");
        }
        if !object.pairs.is_empty() {
            parts.next(self);
            self.dict(&object.pairs);
        }
        // A dict subclass whose `__getstate__` returns itself (`frappe._dict`) has shown its items.
        if let Some(state) = object.state.filter(|&state| state != id) {
            match self.node(state) {
                // `(instance __dict__ or None, __slots__ values)`.
                Some(Node::Tuple(halves))
                    if halves.len() == 2
                        && halves.iter().all(|&h| self.is_keywords(h) || h == NONE) =>
                {
                    for &half in halves.iter().filter(|&&h| h != NONE) {
                        self.keywords(half, "", &mut parts);
                    }
                }
                _ => self.keywords(state, "", &mut parts),
            }
        }
        self.out.push(')');
    }

    /// A dict whose keys are all identifiers renders as `key=value, ...`.
    fn is_keywords(&self, id: Id) -> bool {
        match self.node(id) {
            Some(Node::Dict(pairs)) => pairs
                .iter()
                .all(|&(key, _)| matches!(self.node(key), Some(Node::Str(s)) if is_identifier(s))),
            _ => false,
        }
    }

    fn keywords(&mut self, id: Id, otherwise: &str, parts: &mut Parts) {
        match self.node(id) {
            Some(Node::Dict(pairs)) if self.is_keywords(id) => {
                for &(key, value) in pairs {
                    if self.out.full() {
                        return;
                    }
                    parts.next(self);
                    if let Some(Node::Str(s)) = self.node(key) {
                        self.out.push_str(&String::from_utf8_lossy(s));
                    }
                    self.out.push('=');
                    self.value(value);
                }
            }
            _ => {
                parts.next(self);
                self.out.push_str(otherwise);
                self.value(id);
            }
        }
    }

    /// `datetime.datetime(2024, 1, 15, 10, 30)`, `Decimal('1.50')` and friends, from the
    /// arguments of their `__reduce__`. False when `object` is not one of them.
    fn stdlib_value(&mut self, object: &'n Object) -> bool {
        let (Some(Node::Global(module, name)), Some(Node::Tuple(args))) = (
            self.node(object.class),
            object.args.and_then(|a| self.node(a)),
        ) else {
            return false;
        };
        if object.state.is_some() || !object.items.is_empty() || !object.pairs.is_empty() {
            return false;
        }
        let arg = |i: usize| args.get(i).and_then(|&a| self.node(a));
        let text = match (module.as_ref(), name.as_ref(), arg(0)) {
            (b"datetime", b"datetime", Some(Node::Bytes(b, false))) if args.len() <= 2 => {
                datetime_args(b)
            }
            (b"datetime", b"date", Some(Node::Bytes(b, false))) if args.len() == 1 => date_args(b),
            (b"datetime", b"time", Some(Node::Bytes(b, false))) if args.len() <= 2 => time_args(b),
            (b"datetime", b"timedelta", _) if args.len() == 3 => {
                let ints: Vec<i64> = args
                    .iter()
                    .filter_map(|&a| match self.node(a) {
                        Some(Node::Int(i)) => Some(*i),
                        _ => None,
                    })
                    .collect();
                timedelta_args(&ints)
            }
            (b"decimal", b"Decimal", Some(Node::Str(s))) if args.len() == 1 => {
                self.out.push_str("Decimal(");
                self.str_repr(s);
                self.out.push(')');
                return true;
            }
            _ => None,
        };
        let Some((text, fold)) = text else {
            return false;
        };
        self.global(module, name);
        self.out.push('(');
        self.out.push_str(&text);
        if let Some(&tz) = args.get(1).filter(|_| name.as_ref() != b"timedelta") {
            self.out.push_str(", tzinfo=");
            self.value(tz);
        }
        if fold {
            self.out.push_str(", fold=1");
        }
        self.out.push(')');
        true
    }

    fn str_repr(&mut self, s: &[u8]) {
        // Python picks the quote from the whole string; only the part that can show matters here.
        let head = &s[..s.len().min(self.out.room().saturating_mul(4))];
        let quote = if head.contains(&b'\'') && !head.contains(&b'"') {
            '"'
        } else {
            '\''
        };
        self.out.push(quote);
        for chunk in s.utf8_chunks() {
            for c in chunk.valid().chars() {
                if self.out.full() {
                    return;
                }
                self.char_repr(c, quote);
            }
            if !chunk.invalid().is_empty() {
                self.out.push('\u{fffd}');
            }
        }
        self.out.push(quote);
    }

    fn char_repr(&mut self, c: char, quote: char) {
        match c {
            '\\' => self.out.push_str("\\\\"),
            '\n' => self.out.push_str("\\n"),
            '\r' => self.out.push_str("\\r"),
            '\t' => self.out.push_str("\\t"),
            c if c == quote => {
                self.out.push('\\');
                self.out.push(c);
            }
            c if !is_printable(c) => {
                let code = u32::from(c);
                self.out.push_str(&match code {
                    0..=0xff => format!("\\x{code:02x}"),
                    0x100..=0xffff => format!("\\u{code:04x}"),
                    _ => format!("\\U{code:08x}"),
                });
            }
            c => self.out.push(c),
        }
    }

    /// CPython's bytes repr; a bytearray's also escapes `'` inside double quotes (its quirk).
    fn bytes_repr(&mut self, b: &[u8], bytearray: bool) {
        let head = &b[..b.len().min(self.out.room())];
        let quote = if head.contains(&b'\'') && !head.contains(&b'"') {
            b'"'
        } else {
            b'\''
        };
        self.out.push('b');
        self.out.push(char::from(quote));
        for &c in b {
            if self.out.full() {
                return;
            }
            match c {
                b'\\' => self.out.push_str("\\\\"),
                b'\n' => self.out.push_str("\\n"),
                b'\r' => self.out.push_str("\\r"),
                b'\t' => self.out.push_str("\\t"),
                c if c == quote || (bytearray && c == b'\'') => {
                    self.out.push('\\');
                    self.out.push(char::from(c));
                }
                0x20..=0x7e => self.out.push(char::from(c)),
                c => self.out.push_str(&format!("\\x{c:02x}")),
            }
        }
        self.out.push(char::from(quote));
    }
}

/// Puts `, ` between the parts of a call.
#[derive(Default)]
pub(super) struct Parts {
    any: bool,
}

impl Parts {
    fn next(&mut self, r: &mut Renderer) {
        if self.any {
            r.out.push_str(", ");
        }
        self.any = true;
    }
}

/// Python's `str.isprintable` without the Unicode tables: controls (Cc), format characters (Cf),
/// separators other than the space (Zs, Zl, Zp) and private use (Co) are escaped, as CPython 3.11
/// does for every assigned code point; unassigned ones (Cn) print as themselves.
pub(super) fn is_printable(c: char) -> bool {
    !(c.is_control()
        || matches!(
            c,
            '\u{a0}'
                | '\u{ad}'
                | '\u{600}'..='\u{605}'
                | '\u{61c}'
                | '\u{6dd}'
                | '\u{70f}'
                | '\u{890}'..='\u{891}'
                | '\u{8e2}'
                | '\u{1680}'
                | '\u{180e}'
                | '\u{2000}'..='\u{200f}'
                | '\u{2028}'..='\u{202f}'
                | '\u{205f}'..='\u{206f}'
                | '\u{3000}'
                | '\u{e000}'..='\u{f8ff}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{110bd}'
                | '\u{110cd}'
                | '\u{13430}'..='\u{1343f}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0001}'..='\u{e007f}'
                | '\u{f0000}'..
        ))
}

pub(super) fn is_identifier(s: &[u8]) -> bool {
    matches!(s.first(), Some(c) if c.is_ascii_alphabetic() || *c == b'_')
        && s.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// The state `datetime.datetime.__reduce__` writes: year (2 bytes, big-endian), month (bit 7 is
/// `fold`), day, hour, minute, second, microsecond (3 bytes). Returns the repr's arguments.
pub(super) fn datetime_args(b: &[u8]) -> Option<(String, bool)> {
    let [y1, y2, month, day, hour, minute, second, u1, u2, u3] = <[u8; 10]>::try_from(b).ok()?;
    let (date, _) = date_args(&[y1, y2, month & 0x7f, day])?;
    let (time, _) = time_args(&[hour, minute, second, u1, u2, u3])?;
    Some((format!("{date}, {time}"), month & 0x80 != 0))
}

pub(super) fn date_args(b: &[u8]) -> Option<(String, bool)> {
    let [y1, y2, month, day] = <[u8; 4]>::try_from(b).ok()?;
    let year = u16::from_be_bytes([y1, y2]);
    let valid = (1..=9999).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day);
    valid.then(|| (format!("{year}, {month}, {day}"), false))
}

pub(super) fn time_args(b: &[u8]) -> Option<(String, bool)> {
    let [hour, minute, second, u1, u2, u3] = <[u8; 6]>::try_from(b).ok()?;
    let fold = hour & 0x80 != 0;
    let hour = hour & 0x7f;
    let micro = u32::from_be_bytes([0, u1, u2, u3]);
    if hour > 23 || minute > 59 || second > 59 || micro > 999_999 {
        return None;
    }
    let text = match (second, micro) {
        (_, 1..) => format!("{hour}, {minute}, {second}, {micro}"),
        (1.., 0) => format!("{hour}, {minute}, {second}"),
        (0, 0) => format!("{hour}, {minute}"),
    };
    Some((text, fold))
}

pub(super) fn timedelta_args(ints: &[i64]) -> Option<(String, bool)> {
    let &[days, seconds, micro] = ints else {
        return None;
    };
    let parts: Vec<String> = [
        ("days", days),
        ("seconds", seconds),
        ("microseconds", micro),
    ]
    .iter()
    .filter(|(_, v)| *v != 0)
    .map(|(k, v)| format!("{k}={v}"))
    .collect();
    Some((
        if parts.is_empty() {
            "0".into()
        } else {
            parts.join(", ")
        },
        false,
    ))
}

/// A float as Python's `repr` writes it: shortest round-trip digits, positional for exponents
/// from -4 to 15, else `1e+16` style.
pub(super) fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let sci = format!("{x:e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return format!("{x:?}");
    };
    let Ok(exp) = exp.parse::<i32>() else {
        return format!("{x:?}");
    };
    let sign = if x < 0.0 { "-" } else { "" };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..16).contains(&exp) {
        let mantissa = mantissa.trim_start_matches('-');
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{mantissa}e{esign}{:02}", exp.unsigned_abs());
    }
    if exp < 0 {
        let zeros = "0".repeat(exp.unsigned_abs() as usize - 1);
        return format!("{sign}0.{zeros}{digits}");
    }
    let point = exp as usize + 1;
    if digits.len() <= point {
        format!("{sign}{digits}{}.0", "0".repeat(point - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    }
}

/// A little-endian two's complement integer in decimal.
pub(super) fn le_to_decimal(b: &[u8]) -> String {
    if b.len() > MAX_INT_BYTES {
        return format!("<int of {} bits>", b.len() * 8);
    }
    let negative = b.last().is_some_and(|&last| last & 0x80 != 0);
    let mut magnitude: Vec<u8> = b.to_vec();
    if negative {
        // Two's complement negation: invert, add one.
        let mut carry = true;
        for byte in &mut magnitude {
            let (sum, overflow) = (!*byte).overflowing_add(u8::from(carry));
            *byte = sum;
            carry = overflow;
        }
    }
    // Big-endian base-2^32 limbs, divided by 10^9 until zero.
    let mut limbs: Vec<u32> = magnitude
        .chunks(4)
        .rev()
        .map(|chunk| {
            chunk
                .iter()
                .rev()
                .fold(0u32, |acc, &byte| (acc << 8) | u32::from(byte))
        })
        .collect();
    let mut groups = Vec::new();
    while limbs.iter().any(|&l| l != 0) {
        let mut rem = 0u64;
        for limb in &mut limbs {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        groups.push(rem as u32);
        while limbs.first() == Some(&0) {
            limbs.remove(0);
        }
    }
    let mut text = String::from(if negative { "-" } else { "" });
    match groups.split_last() {
        None => text.push('0'),
        Some((most, rest)) => {
            text.push_str(&most.to_string());
            for group in rest.iter().rev() {
                text.push_str(&format!("{group:09}"));
            }
        }
    }
    text
}
