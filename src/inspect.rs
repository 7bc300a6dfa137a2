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
use std::collections::HashMap;

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

// Caps that bound the memory a hostile pickle can make the walk use (some 150 MB at worst);
// real cache values stay far below them.
const MAX_NODES: usize = 1 << 20;
const MAX_ENTRIES: usize = 1 << 22;
const MAX_STACK: usize = 1 << 22;
const MAX_MARKS: usize = 1 << 20;
const MAX_MEMO: usize = MAX_NODES;
/// Containers nested deeper than this render as `…`.
const MAX_DEPTH: usize = 48;
/// `max_len` is capped here: rendering a shared structure costs as much as its text.
const MAX_TEXT: usize = 1 << 20;
/// Integers longer than this many bytes render as `<int of N bits>` (conversion is quadratic).
const MAX_INT_BYTES: usize = 1024;

type Id = u32;
type Fallible<T> = Result<T, String>;

const NONE: Id = 0;
const TRUE: Id = 1;
const FALSE: Id = 2;

/// What unpickling would build. Strings and bytes borrow from the input when they can.
enum Node<'a> {
    None,
    Bool(bool),
    Int(i64),
    /// `LONG1`/`LONG4` payload: little-endian two's complement, longer than 8 bytes.
    BigInt(&'a [u8]),
    /// `INT`/`LONG` text (protocols 0–1) out of `i64` range: optional `-`, then digits.
    DecInt(String),
    Float(f64),
    /// UTF-8 (CPython writes lone surrogates with `surrogatepass`; those render as U+FFFD).
    Str(Cow<'a, [u8]>),
    /// The flag marks a `bytearray`.
    Bytes(Cow<'a, [u8]>, bool),
    List(Vec<Id>),
    Tuple(Vec<Id>),
    Dict(Vec<(Id, Id)>),
    Set(Vec<Id>),
    FrozenSet(Vec<Id>),
    /// A `module`, `qualname` reference (`GLOBAL`, `STACK_GLOBAL`, `INST`).
    Global(Cow<'a, [u8]>, Cow<'a, [u8]>),
    Object(Box<Object>),
}

/// An instance that unpickling would create by calling something: `class(*args)` (`REDUCE`)
/// or `class.__new__(class, *args, **kwargs)` (`NEWOBJ`), then filled by `APPENDS`, `SETITEMS`
/// and `BUILD` (its `__setstate__` state or `__dict__`).
struct Object {
    class: Id,
    called: bool,
    args: Option<Id>,
    kwargs: Option<Id>,
    state: Option<Id>,
    items: Vec<Id>,
    pairs: Vec<(Id, Id)>,
}

impl Object {
    fn new(class: Id, called: bool, args: Option<Id>) -> Self {
        Object {
            class,
            called,
            args,
            kwargs: None,
            state: None,
            items: Vec::new(),
            pairs: Vec::new(),
        }
    }
}

fn type_name(node: Option<&Node>) -> &'static str {
    match node {
        None => "nothing",
        Some(Node::None) => "None",
        Some(Node::Bool(_)) => "bool",
        Some(Node::Int(_) | Node::BigInt(_) | Node::DecInt(_)) => "int",
        Some(Node::Float(_)) => "float",
        Some(Node::Str(_)) => "str",
        Some(Node::Bytes(_, false)) => "bytes",
        Some(Node::Bytes(_, true)) => "bytearray",
        Some(Node::List(_)) => "list",
        Some(Node::Tuple(_)) => "tuple",
        Some(Node::Dict(_)) => "dict",
        Some(Node::Set(_)) => "set",
        Some(Node::FrozenSet(_)) => "frozenset",
        Some(Node::Global(..)) => "global",
        Some(Node::Object(_)) => "object",
    }
}

/// The pickle virtual machine, minus every effect: it only records what would be built.
struct Machine<'a> {
    data: &'a [u8],
    pos: usize,
    nodes: Vec<Node<'a>>,
    entries: usize,
    /// The whole stack; `marks` holds where each `MARK`ed segment starts.
    stack: Vec<Id>,
    marks: Vec<usize>,
    memo: HashMap<u32, Id>,
}

impl<'a> Machine<'a> {
    fn new(data: &'a [u8]) -> Self {
        Machine {
            data,
            pos: 0,
            nodes: vec![Node::None, Node::Bool(true), Node::Bool(false)],
            entries: 0,
            stack: Vec::new(),
            marks: Vec::new(),
            memo: HashMap::new(),
        }
    }

    fn run(mut self) -> Fallible<(Vec<Node<'a>>, Id)> {
        if self.data.is_empty() {
            return Err("empty value".into());
        }
        loop {
            let at = self.pos;
            let Some(&op) = self.data.get(at) else {
                return Err(format!(
                    "truncated: no STOP opcode in {} bytes",
                    self.data.len()
                ));
            };
            self.pos += 1;
            match self.step(op) {
                Ok(Some(root)) => return Ok((self.nodes, root)),
                Ok(None) => {}
                // Every pickle of protocol 2 or later starts with PROTO; what does not, and fails,
                // is most likely not a pickle at all (a counter, a lock token, compressed data).
                Err(_) if self.data.first() != Some(&0x80) => {
                    return Err(format!("not a pickle: {}", bytes_head(self.data)));
                }
                Err(reason) => return Err(format!("{reason} (opcode 0x{op:02x} at byte {at})")),
            }
        }
    }

    /// Runs one opcode; returns the value at `STOP`.
    fn step(&mut self, op: u8) -> Fallible<Option<Id>> {
        match op {
            // Framing and the stack.
            0x80 => {
                let version = self.byte()?;
                if version > 5 {
                    return Err(format!("unsupported pickle protocol {version}"));
                }
            }
            0x95 => {
                self.take(8)?;
            }
            b'.' => return self.pop().map(Some),
            b'(' => {
                if self.marks.len() >= MAX_MARKS {
                    return Err("too deeply nested to preview".into());
                }
                self.marks.push(self.stack.len());
            }
            b'0' => {
                if self.stack.len() > self.floor() {
                    self.stack.pop();
                } else {
                    self.pop_mark()?;
                }
            }
            b'1' => {
                self.pop_mark()?;
            }
            b'2' => {
                let top = self.top()?;
                self.push(top)?;
            }

            // The memo.
            b'p' => {
                let key = self.line_u32()?;
                self.memo_put(key)?;
            }
            b'q' => {
                let key = self.byte()?;
                self.memo_put(key.into())?;
            }
            b'r' => {
                let key = self.u32_le()?;
                self.memo_put(key)?;
            }
            0x94 => {
                let key = u32::try_from(self.memo.len()).map_err(|_| "memo too large")?;
                self.memo_put(key)?;
            }
            b'g' => {
                let key = self.line_u32()?;
                self.memo_get(key)?;
            }
            b'h' => {
                let key = self.byte()?;
                self.memo_get(key.into())?;
            }
            b'j' => {
                let key = self.u32_le()?;
                self.memo_get(key)?;
            }

            // Scalars.
            b'N' => self.push(NONE)?,
            0x88 => self.push(TRUE)?,
            0x89 => self.push(FALSE)?,
            b'I' => {
                let line = self.line()?;
                match line {
                    b"00" => self.push(FALSE)?,
                    b"01" => self.push(TRUE)?,
                    _ => {
                        let node = int_from_text(line).ok_or("bad INT literal")?;
                        self.add(node)?;
                    }
                }
            }
            b'L' => {
                let line = self.line()?;
                let digits = line.strip_suffix(b"L").unwrap_or(line);
                let node = int_from_text(digits).ok_or("bad LONG literal")?;
                self.add(node)?;
            }
            b'J' => {
                let b = self.take(4)?;
                let value = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                self.add(Node::Int(value.into()))?;
            }
            b'K' => {
                let value = self.byte()?;
                self.add(Node::Int(value.into()))?;
            }
            b'M' => {
                let b = self.take(2)?;
                self.add(Node::Int(u16::from_le_bytes([b[0], b[1]]).into()))?;
            }
            0x8a => {
                let n = self.byte()?;
                let b = self.take(n.into())?;
                self.add(int_from_le(b))?;
            }
            0x8b => {
                let n = self.i32_len()?;
                let b = self.take(n)?;
                self.add(int_from_le(b))?;
            }
            b'F' => {
                let line = self.line()?;
                let value = std::str::from_utf8(line)
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .ok_or("bad FLOAT literal")?;
                self.add(Node::Float(value))?;
            }
            b'G' => {
                let b = self.take(8)?;
                let mut raw = [0u8; 8];
                raw.copy_from_slice(b);
                self.add(Node::Float(f64::from_be_bytes(raw)))?;
            }

            // Strings and bytes.
            0x8c => {
                let n = self.byte()?;
                let b = self.take(n.into())?;
                self.add(Node::Str(Cow::Borrowed(b)))?;
            }
            b'X' => {
                let n = self.u32_len()?;
                let b = self.take(n)?;
                self.add(Node::Str(Cow::Borrowed(b)))?;
            }
            0x8d => {
                let n = self.u64_len()?;
                let b = self.take(n)?;
                self.add(Node::Str(Cow::Borrowed(b)))?;
            }
            b'V' => {
                let line = self.line()?;
                self.add(Node::Str(Cow::Owned(raw_unicode_escape(line).into_bytes())))?;
            }
            // Python 2 `str`: Python 3 decodes it as text (ASCII by default); shown as Latin-1.
            b'S' => {
                let line = self.line()?;
                let quoted = line.len() >= 2
                    && line[0] == line[line.len() - 1]
                    && matches!(line[0], b'"' | b'\'');
                if !quoted {
                    return Err("the STRING argument must be quoted".into());
                }
                let raw = escape_decode(&line[1..line.len() - 1]);
                self.add(Node::Str(Cow::Owned(latin1_to_utf8(&raw))))?;
            }
            b'T' => {
                let n = self.i32_len()?;
                let b = self.take(n)?;
                self.add(Node::Str(Cow::Owned(latin1_to_utf8(b))))?;
            }
            b'U' => {
                let n = self.byte()?;
                let b = self.take(n.into())?;
                self.add(Node::Str(Cow::Owned(latin1_to_utf8(b))))?;
            }
            b'C' => {
                let n = self.byte()?;
                let b = self.take(n.into())?;
                self.add(Node::Bytes(Cow::Borrowed(b), false))?;
            }
            b'B' => {
                let n = self.u32_len()?;
                let b = self.take(n)?;
                self.add(Node::Bytes(Cow::Borrowed(b), false))?;
            }
            0x8e => {
                let n = self.u64_len()?;
                let b = self.take(n)?;
                self.add(Node::Bytes(Cow::Borrowed(b), false))?;
            }
            0x96 => {
                let n = self.u64_len()?;
                let b = self.take(n)?;
                self.add(Node::Bytes(Cow::Borrowed(b), true))?;
            }

            // Containers.
            b')' => self.add(Node::Tuple(Vec::new()))?,
            0x85..=0x87 => {
                let n = usize::from(op - 0x84);
                let floor = self.floor();
                if self.stack.len() < floor + n {
                    return Err("stack underflow".into());
                }
                let items = self.stack.split_off(self.stack.len() - n);
                self.add_container(Node::Tuple(items), n)?;
            }
            b't' => {
                let items = self.pop_mark()?;
                let n = items.len();
                self.add_container(Node::Tuple(items), n)?;
            }
            b']' => self.add(Node::List(Vec::new()))?,
            b'l' => {
                let items = self.pop_mark()?;
                let n = items.len();
                self.add_container(Node::List(items), n)?;
            }
            b'a' => {
                let value = self.pop()?;
                let target = self.top()?;
                self.extend_items(target, vec![value], "APPEND")?;
            }
            b'e' => {
                let items = self.pop_mark()?;
                let target = self.top()?;
                self.extend_items(target, items, "APPENDS")?;
            }
            b'}' => self.add(Node::Dict(Vec::new()))?,
            b'd' => {
                let items = self.pop_mark()?;
                let n = items.len();
                let pairs = pairs(items)?;
                self.add_container(Node::Dict(pairs), n)?;
            }
            b's' => {
                let value = self.pop()?;
                let key = self.pop()?;
                let target = self.top()?;
                self.extend_pairs(target, vec![(key, value)])?;
            }
            b'u' => {
                let items = self.pop_mark()?;
                let target = self.top()?;
                self.extend_pairs(target, pairs(items)?)?;
            }
            0x8f => self.add(Node::Set(Vec::new()))?,
            0x90 => {
                let items = self.pop_mark()?;
                let target = self.top()?;
                self.extend_items(target, items, "ADDITEMS")?;
            }
            0x91 => {
                let items = self.pop_mark()?;
                let n = items.len();
                self.add_container(Node::FrozenSet(items), n)?;
            }

            // Classes and calls: recorded, never performed.
            b'c' => {
                let module = self.line()?;
                let name = self.line()?;
                self.add(Node::Global(Cow::Borrowed(module), Cow::Borrowed(name)))?;
            }
            0x93 => {
                let name = self.pop()?;
                let module = self.pop()?;
                let (Some(Node::Str(module)), Some(Node::Str(name))) =
                    (self.node(module), self.node(name))
                else {
                    return Err("STACK_GLOBAL needs two strings".into());
                };
                let global = Node::Global(module.clone(), name.clone());
                self.add(global)?;
            }
            b'R' => {
                let args = self.pop()?;
                let func = self.pop()?;
                let node = self.reduce(func, args)?;
                self.add(node)?;
            }
            0x81 => {
                let args = self.pop()?;
                let class = self.pop()?;
                self.add(Node::Object(Box::new(Object::new(
                    class,
                    false,
                    Some(args),
                ))))?;
            }
            0x92 => {
                let kwargs = self.pop()?;
                let args = self.pop()?;
                let class = self.pop()?;
                let mut object = Object::new(class, false, Some(args));
                object.kwargs = Some(kwargs);
                self.add(Node::Object(Box::new(object)))?;
            }
            b'o' => {
                let mut items = self.pop_mark()?;
                if items.is_empty() {
                    return Err("OBJ without a class".into());
                }
                let class = items.remove(0);
                let n = items.len();
                let args = self.new_node(Node::Tuple(items), n)?;
                self.add(Node::Object(Box::new(Object::new(
                    class,
                    false,
                    Some(args),
                ))))?;
            }
            b'i' => {
                let module = self.line()?;
                let name = self.line()?;
                let items = self.pop_mark()?;
                let class =
                    self.new_node(Node::Global(Cow::Borrowed(module), Cow::Borrowed(name)), 0)?;
                let n = items.len();
                let args = self.new_node(Node::Tuple(items), n)?;
                self.add(Node::Object(Box::new(Object::new(class, true, Some(args)))))?;
            }
            b'b' => {
                let state = self.pop()?;
                let target = self.top()?;
                match self.nodes.get_mut(target as usize) {
                    Some(Node::Object(object)) => object.state = Some(state),
                    other => return Err(format!("BUILD on a {}", type_name(other.map(|n| &*n)))),
                }
            }

            // What needs the unpickler's environment.
            0x97 => {
                return Err("out-of-band buffer (NEXT_BUFFER): needs the writer's buffers".into());
            }
            // Python makes an out-of-band buffer read-only here; for a preview it changes nothing.
            0x98 => {
                self.top()?;
            }
            b'P' | b'Q' => return Err("persistent id: needs the writer's persistent_load".into()),
            0x82..=0x84 => {
                return Err("extension code: needs the copyreg extension registry".into());
            }
            _ => return Err(format!("unknown opcode 0x{op:02x}")),
        }
        Ok(None)
    }

    /// What `func(*args)` would return, for the few callables whose result is plain data, and an
    /// [`Object`] recording the call for everything else.
    fn reduce(&mut self, func: Id, args: Id) -> Fallible<Node<'a>> {
        let generic = Node::Object(Box::new(Object::new(func, true, Some(args))));
        let (Some(Node::Global(module, name)), Some(Node::Tuple(argv))) =
            (self.node(func), self.node(args))
        else {
            return Ok(generic);
        };
        let (module, name, argv) = (module.clone(), name.clone(), argv.clone());
        let module: &[u8] = match module.as_ref() {
            b"__builtin__" => b"builtins",
            b"copy_reg" => b"copyreg",
            other => other,
        };
        let first = argv.first().and_then(|&id| self.node(id));
        let node = match (module, name.as_ref(), argv.len()) {
            // Protocols 0-3 write sets as `set([...])`, and `bytes`/`bytearray` as calls.
            (b"builtins", b"set" | b"frozenset" | b"list" | b"tuple", 0 | 1) => {
                let items = match first {
                    None => Vec::new(),
                    Some(Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v)) => {
                        v.clone()
                    }
                    Some(_) => return Ok(generic),
                };
                self.count_entries(items.len())?;
                match name.as_ref() {
                    b"set" => Node::Set(items),
                    b"frozenset" => Node::FrozenSet(items),
                    b"list" => Node::List(items),
                    _ => Node::Tuple(items),
                }
            }
            (b"builtins", b"bytes" | b"bytearray", 0) => {
                Node::Bytes(Cow::Borrowed(&[]), name.as_ref() == b"bytearray")
            }
            (b"builtins", b"bytearray", 1) => match first {
                Some(Node::Bytes(b, _)) => Node::Bytes(b.clone(), true),
                _ => return Ok(generic),
            },
            (b"builtins" | b"_codecs", b"bytearray" | b"encode", 2) => {
                match (first, argv.get(1).and_then(|&id| self.node(id))) {
                    (Some(Node::Str(text)), Some(Node::Str(encoding)))
                        if matches!(encoding.as_ref(), b"latin1" | b"latin-1" | b"latin_1") =>
                    {
                        match utf8_to_latin1(text) {
                            Some(b) => Node::Bytes(Cow::Owned(b), name.as_ref() == b"bytearray"),
                            None => return Ok(generic),
                        }
                    }
                    _ => return Ok(generic),
                }
            }
            // `copyreg._reconstructor(cls, base, state)`: protocol 0-1 instances; `state` is what
            // `base` is initialised with (the items of a dict or list subclass), None for `object`.
            (b"copyreg", b"_reconstructor", 3) => {
                let mut object = Object::new(argv[0], false, None);
                match self.node(argv[2]) {
                    Some(Node::None) => {}
                    Some(Node::Dict(pairs)) => object.pairs = pairs.clone(),
                    Some(Node::List(items)) => object.items = items.clone(),
                    _ => object.args = Some(self.new_node(Node::Tuple(vec![argv[2]]), 1)?),
                }
                self.count_entries(object.items.len() + 2 * object.pairs.len())?;
                Node::Object(Box::new(object))
            }
            // `copyreg.__newobj__(cls, *args)` written as a plain call.
            (b"copyreg", b"__newobj__", 1..) => {
                let rest = argv[1..].to_vec();
                let n = rest.len();
                let args = self.new_node(Node::Tuple(rest), n)?;
                Node::Object(Box::new(Object::new(argv[0], false, Some(args))))
            }
            _ => return Ok(generic),
        };
        Ok(node)
    }

    fn node(&self, id: Id) -> Option<&Node<'a>> {
        self.nodes.get(id as usize)
    }

    fn floor(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    fn push(&mut self, id: Id) -> Fallible<()> {
        if self.stack.len() >= MAX_STACK {
            return Err("stack too deep to preview".into());
        }
        self.stack.push(id);
        Ok(())
    }

    fn pop(&mut self) -> Fallible<Id> {
        if self.stack.len() > self.floor() {
            self.stack.pop().ok_or_else(|| "stack underflow".into())
        } else {
            Err("stack underflow".into())
        }
    }

    fn top(&self) -> Fallible<Id> {
        match self.stack.last() {
            Some(&id) if self.stack.len() > self.floor() => Ok(id),
            _ => Err("stack underflow".into()),
        }
    }

    fn pop_mark(&mut self) -> Fallible<Vec<Id>> {
        let start = self.marks.pop().ok_or("no MARK on the stack")?;
        Ok(self.stack.split_off(start.min(self.stack.len())))
    }

    fn count_entries(&mut self, n: usize) -> Fallible<()> {
        self.entries = self.entries.saturating_add(n);
        if self.entries > MAX_ENTRIES {
            return Err(format!("too large to preview (over {MAX_ENTRIES} items)"));
        }
        Ok(())
    }

    fn new_node(&mut self, node: Node<'a>, entries: usize) -> Fallible<Id> {
        if self.nodes.len() >= MAX_NODES {
            return Err(format!("too large to preview (over {MAX_NODES} objects)"));
        }
        self.count_entries(entries)?;
        let id = Id::try_from(self.nodes.len()).map_err(|_| "too many objects")?;
        self.nodes.push(node);
        Ok(id)
    }

    fn add(&mut self, node: Node<'a>) -> Fallible<()> {
        self.add_container(node, 0)
    }

    fn add_container(&mut self, node: Node<'a>, entries: usize) -> Fallible<()> {
        let id = self.new_node(node, entries)?;
        self.push(id)
    }

    fn extend_items(&mut self, target: Id, items: Vec<Id>, op: &str) -> Fallible<()> {
        self.count_entries(items.len())?;
        let is_add = op == "ADDITEMS";
        match self.nodes.get_mut(target as usize) {
            Some(Node::List(v)) if !is_add => v.extend(items),
            Some(Node::Set(v)) if is_add => v.extend(items),
            Some(Node::Object(object)) => object.items.extend(items),
            other => return Err(format!("{op} to a {}", type_name(other.map(|n| &*n)))),
        }
        Ok(())
    }

    fn extend_pairs(&mut self, target: Id, new: Vec<(Id, Id)>) -> Fallible<()> {
        self.count_entries(new.len().saturating_mul(2))?;
        match self.nodes.get_mut(target as usize) {
            Some(Node::Dict(v)) => v.extend(new),
            Some(Node::Object(object)) => object.pairs.extend(new),
            other => return Err(format!("SETITEM on a {}", type_name(other.map(|n| &*n)))),
        }
        Ok(())
    }

    fn memo_put(&mut self, key: u32) -> Fallible<()> {
        let top = self.top()?;
        if self.memo.len() >= MAX_MEMO && !self.memo.contains_key(&key) {
            return Err("memo too large to preview".into());
        }
        self.memo.insert(key, top);
        Ok(())
    }

    fn memo_get(&mut self, key: u32) -> Fallible<()> {
        let id = *self
            .memo
            .get(&key)
            .ok_or_else(|| format!("memo key {key} missing"))?;
        self.push(id)
    }

    fn byte(&mut self) -> Fallible<u8> {
        Ok(self.take(1)?[0])
    }

    fn take(&mut self, n: usize) -> Fallible<&'a [u8]> {
        let data: &'a [u8] = self.data;
        match self
            .pos
            .checked_add(n)
            .and_then(|end| data.get(self.pos..end))
        {
            Some(bytes) => {
                self.pos += n;
                Ok(bytes)
            }
            None => Err(format!("truncated: {n}-byte argument runs past the end")),
        }
    }

    /// A `\n`-terminated argument of the text opcodes, without the `\n`.
    fn line(&mut self) -> Fallible<&'a [u8]> {
        let data: &'a [u8] = self.data;
        let rest = data.get(self.pos..).unwrap_or_default();
        let n = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("truncated: text argument without its newline")?;
        self.pos += n + 1;
        Ok(&rest[..n])
    }

    fn line_u32(&mut self) -> Fallible<u32> {
        let line = self.line()?;
        std::str::from_utf8(line)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| "bad memo key".into())
    }

    fn u32_le(&mut self) -> Fallible<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u32_len(&mut self) -> Fallible<usize> {
        usize::try_from(self.u32_le()?).map_err(|_| "length too large".into())
    }

    fn i32_len(&mut self) -> Fallible<usize> {
        let b = self.take(4)?;
        let n = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        usize::try_from(n).map_err(|_| "negative length".into())
    }

    fn u64_len(&mut self) -> Fallible<usize> {
        let b = self.take(8)?;
        let mut raw = [0u8; 8];
        raw.copy_from_slice(b);
        usize::try_from(u64::from_le_bytes(raw)).map_err(|_| "length too large".into())
    }
}

/// `[k1, v1, k2, v2, ...]` as pairs.
fn pairs(items: Vec<Id>) -> Fallible<Vec<(Id, Id)>> {
    if !items.len().is_multiple_of(2) {
        return Err("odd number of items for a dict".into());
    }
    Ok(items.chunks_exact(2).map(|kv| (kv[0], kv[1])).collect())
}

fn int_from_le(b: &[u8]) -> Node<'_> {
    if b.len() > 8 {
        return Node::BigInt(b);
    }
    let negative = b.last().is_some_and(|&last| last & 0x80 != 0);
    let mut raw = if negative { [0xff; 8] } else { [0; 8] };
    raw[..b.len()].copy_from_slice(b);
    Node::Int(i64::from_le_bytes(raw))
}

fn int_from_text(text: &[u8]) -> Option<Node<'static>> {
    let text = std::str::from_utf8(text).ok()?.trim();
    if let Ok(value) = text.parse::<i64>() {
        return Some(Node::Int(value));
    }
    let (sign, digits) = match text.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    Some(Node::DecInt(format!("{sign}{digits}")))
}

fn latin1_to_utf8(b: &[u8]) -> Vec<u8> {
    b.iter()
        .map(|&c| char::from(c))
        .collect::<String>()
        .into_bytes()
}

fn utf8_to_latin1(text: &[u8]) -> Option<Vec<u8>> {
    std::str::from_utf8(text)
        .ok()?
        .chars()
        .map(|c| u8::try_from(c).ok())
        .collect()
}

/// `codecs.escape_decode`, as Python applies it to the `STRING` argument.
fn escape_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c != b'\\' || i >= s.len() {
            out.push(c);
            continue;
        }
        let e = s[i];
        i += 1;
        match e {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'0'..=b'7' => {
                let mut value = u32::from(e - b'0');
                for _ in 0..2 {
                    match s.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((value & 0xff) as u8);
            }
            b'x' => match s.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok()) {
                Some(h) if h.bytes().all(|d| d.is_ascii_hexdigit()) => {
                    out.push(u8::from_str_radix(h, 16).unwrap_or(0));
                    i += 2;
                }
                _ => out.extend_from_slice(b"\\x"),
            },
            _ => out.extend_from_slice(&[b'\\', e]),
        }
    }
    out
}

/// The `raw-unicode-escape` codec: `\uXXXX` and `\UXXXXXXXX`, every other byte is Latin-1.
fn raw_unicode_escape(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let width = match (c, s.get(i + 1)) {
            (b'\\', Some(b'u')) => 4,
            (b'\\', Some(b'U')) => 8,
            _ => 0,
        };
        let code = s
            .get(i + 2..i + 2 + width)
            .filter(|_| width > 0)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match code {
            Some(code) => {
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                i += 2 + width;
            }
            None => {
                out.push(char::from(c));
                i += 1;
            }
        }
    }
    out
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

// ----------------------------------------------------------------------------------------------
// Text

/// Text that stops growing at `max_len + 1` characters; `finish` cuts it to `max_len` with `…`.
struct Out {
    text: String,
    chars: usize,
    max_len: usize,
}

impl Out {
    fn new(max_len: usize) -> Self {
        Out {
            text: String::new(),
            chars: 0,
            max_len: max_len.min(MAX_TEXT),
        }
    }

    fn full(&self) -> bool {
        self.chars > self.max_len
    }

    fn room(&self) -> usize {
        (self.max_len + 1).saturating_sub(self.chars)
    }

    fn push(&mut self, c: char) {
        if !self.full() {
            self.text.push(c);
            self.chars += 1;
        }
    }

    fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            if self.full() {
                break;
            }
            self.text.push(c);
            self.chars += 1;
        }
    }

    fn finish(mut self) -> String {
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

fn render(nodes: &[Node], root: Id, max_len: usize) -> String {
    let mut r = Renderer {
        nodes,
        out: Out::new(max_len),
        path: Vec::new(),
    };
    r.value(root);
    r.out.finish()
}

struct Renderer<'n, 'a> {
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
struct Parts {
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
fn is_printable(c: char) -> bool {
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

fn is_identifier(s: &[u8]) -> bool {
    matches!(s.first(), Some(c) if c.is_ascii_alphabetic() || *c == b'_')
        && s.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// The state `datetime.datetime.__reduce__` writes: year (2 bytes, big-endian), month (bit 7 is
/// `fold`), day, hour, minute, second, microsecond (3 bytes). Returns the repr's arguments.
fn datetime_args(b: &[u8]) -> Option<(String, bool)> {
    let [y1, y2, month, day, hour, minute, second, u1, u2, u3] = <[u8; 10]>::try_from(b).ok()?;
    let (date, _) = date_args(&[y1, y2, month & 0x7f, day])?;
    let (time, _) = time_args(&[hour, minute, second, u1, u2, u3])?;
    Some((format!("{date}, {time}"), month & 0x80 != 0))
}

fn date_args(b: &[u8]) -> Option<(String, bool)> {
    let [y1, y2, month, day] = <[u8; 4]>::try_from(b).ok()?;
    let year = u16::from_be_bytes([y1, y2]);
    let valid = (1..=9999).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day);
    valid.then(|| (format!("{year}, {month}, {day}"), false))
}

fn time_args(b: &[u8]) -> Option<(String, bool)> {
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

fn timedelta_args(ints: &[i64]) -> Option<(String, bool)> {
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
fn py_float(x: f64) -> String {
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
fn le_to_decimal(b: &[u8]) -> String {
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

fn bytes_head(data: &[u8]) -> String {
    let head = &data[..data.len().min(16)];
    let mut out = Out::new(72);
    out.push('b');
    out.push('\'');
    for &c in head {
        match c {
            b'\\' | b'\'' => {
                out.push('\\');
                out.push(char::from(c));
            }
            0x20..=0x7e => out.push(char::from(c)),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push('\'');
    if data.len() > head.len() {
        out.push('…');
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Written by CPython 3.11 `pickle.dumps(value, protocol=N)`, N in the name; the generator
    // registers stand-ins for `frappe._dict` (whose `__getstate__` returns itself, as Frappe's
    // does) and `frappe.model.document.Document` under Frappe's module names.
    //
    // PLAIN = {'int': [0, 255, 65536, -1, 2**31, 2**63, -2**70], 'float': [1.5, -0.0, 1e16, 1e-05],
    //          'str': ['', 'héllo', '😀', "it's"], 'bytes': [b'', b'\x00\xff'], 'tuple': (1,),
    //          'set': {1, 2}, 'frozenset': frozenset({3}), 'none': None, 'bool': [True, False],
    //          'nested': {'a': [{'b': ()}]}}
    // FDICT = frappe._dict(name='x', roles=['System Manager'], flags=frappe._dict())
    // DOC   = Document(doctype='ToDo', name='TD-0001', modified=datetime(2024, 1, 15, 10, 30, 5, 123),
    //                  amount=Decimal('1.50'), tags={'urgent'})
    // DATES = [datetime(2024, 1, 15, 10, 30), date(2024, 2, 29), time(23, 59, 59),
    //          timedelta(days=-1, seconds=5), datetime(2024, 1, 15, tzinfo=timezone.utc)]
    // EVIL  = an object whose __reduce__ is (os.system, ('touch /tmp/pwned',))
    // SHARED = (a := [1], x := [a, a], [x, x])[2];  RECURSIVE = l = [1]; l.append(l)
    // BYTEARRAY = bytearray(b'xy')
    const PLAIN_P5: &[u8] = b"\x80\x05\x95\xfd\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x03int\x94]\x94(K\x00K\xffJ\x00\x00\x01\x00J\xff\xff\xff\xff\x8a\x05\x00\x00\x00\x80\x00\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\xc0e\x8c\x05float\x94]\x94(G?\xf8\x00\x00\x00\x00\x00\x00G\x80\x00\x00\x00\x00\x00\x00\x00GCA\xc3y7\xe0\x80\x00G>\xe4\xf8\xb5\x88\xe3h\xf1e\x8c\x03str\x94]\x94(\x8c\x00\x94\x8c\x06h\xc3\xa9llo\x94\x8c\x04\xf0\x9f\x98\x80\x94\x8c\x04it's\x94e\x8c\x05bytes\x94]\x94(C\x00\x94C\x02\x00\xff\x94e\x8c\x05tuple\x94K\x01\x85\x94\x8c\x03set\x94\x8f\x94(K\x01K\x02\x90\x8c\x09frozenset\x94(K\x03\x91\x94\x8c\x04none\x94N\x8c\x04bool\x94]\x94(\x88\x89e\x8c\x06nested\x94}\x94\x8c\x01a\x94]\x94}\x94\x8c\x01b\x94)sasu.";
    const PLAIN_P4: &[u8] = b"\x80\x04\x95\xfd\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x03int\x94]\x94(K\x00K\xffJ\x00\x00\x01\x00J\xff\xff\xff\xff\x8a\x05\x00\x00\x00\x80\x00\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\xc0e\x8c\x05float\x94]\x94(G?\xf8\x00\x00\x00\x00\x00\x00G\x80\x00\x00\x00\x00\x00\x00\x00GCA\xc3y7\xe0\x80\x00G>\xe4\xf8\xb5\x88\xe3h\xf1e\x8c\x03str\x94]\x94(\x8c\x00\x94\x8c\x06h\xc3\xa9llo\x94\x8c\x04\xf0\x9f\x98\x80\x94\x8c\x04it's\x94e\x8c\x05bytes\x94]\x94(C\x00\x94C\x02\x00\xff\x94e\x8c\x05tuple\x94K\x01\x85\x94\x8c\x03set\x94\x8f\x94(K\x01K\x02\x90\x8c\x09frozenset\x94(K\x03\x91\x94\x8c\x04none\x94N\x8c\x04bool\x94]\x94(\x88\x89e\x8c\x06nested\x94}\x94\x8c\x01a\x94]\x94}\x94\x8c\x01b\x94)sasu.";
    const PLAIN_P2: &[u8] = b"\x80\x02}q\x00(X\x03\x00\x00\x00intq\x01]q\x02(K\x00K\xffJ\x00\x00\x01\x00J\xff\xff\xff\xff\x8a\x05\x00\x00\x00\x80\x00\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\xc0eX\x05\x00\x00\x00floatq\x03]q\x04(G?\xf8\x00\x00\x00\x00\x00\x00G\x80\x00\x00\x00\x00\x00\x00\x00GCA\xc3y7\xe0\x80\x00G>\xe4\xf8\xb5\x88\xe3h\xf1eX\x03\x00\x00\x00strq\x05]q\x06(X\x00\x00\x00\x00q\x07X\x06\x00\x00\x00h\xc3\xa9lloq\x08X\x04\x00\x00\x00\xf0\x9f\x98\x80q\x09X\x04\x00\x00\x00it'sq\x0aeX\x05\x00\x00\x00bytesq\x0b]q\x0c(c__builtin__\x0abytes\x0aq\x0d)Rq\x0ec_codecs\x0aencode\x0aq\x0fX\x03\x00\x00\x00\x00\xc3\xbfq\x10X\x06\x00\x00\x00latin1q\x11\x86q\x12Rq\x13eX\x05\x00\x00\x00tupleq\x14K\x01\x85q\x15X\x03\x00\x00\x00setq\x16c__builtin__\x0aset\x0aq\x17]q\x18(K\x01K\x02e\x85q\x19Rq\x1aX\x09\x00\x00\x00frozensetq\x1bc__builtin__\x0afrozenset\x0aq\x1c]q\x1dK\x03a\x85q\x1eRq\x1fX\x04\x00\x00\x00noneq NX\x04\x00\x00\x00boolq!]q\x22(\x88\x89eX\x06\x00\x00\x00nestedq#}q$X\x01\x00\x00\x00aq%]q&}q'X\x01\x00\x00\x00bq()sasu.";
    const PLAIN_P0: &[u8] = b"(dp0\x0aVint\x0ap1\x0a(lp2\x0aI0\x0aaI255\x0aaI65536\x0aaI-1\x0aaL2147483648L\x0aaL9223372036854775808L\x0aaL-1180591620717411303424L\x0aasVfloat\x0ap3\x0a(lp4\x0aF1.5\x0aaF-0.0\x0aaF1e+16\x0aaF1e-05\x0aasVstr\x0ap5\x0a(lp6\x0aV\x0ap7\x0aaVh\xe9llo\x0ap8\x0aaV\x5cU0001f600\x0ap9\x0aaVit's\x0ap10\x0aasVbytes\x0ap11\x0a(lp12\x0ac__builtin__\x0abytes\x0ap13\x0a(tRp14\x0aac_codecs\x0aencode\x0ap15\x0a(V\x5cu0000\xff\x0ap16\x0aVlatin1\x0ap17\x0atp18\x0aRp19\x0aasVtuple\x0ap20\x0a(I1\x0atp21\x0asVset\x0ap22\x0ac__builtin__\x0aset\x0ap23\x0a((lp24\x0aI1\x0aaI2\x0aatp25\x0aRp26\x0asVfrozenset\x0ap27\x0ac__builtin__\x0afrozenset\x0ap28\x0a((lp29\x0aI3\x0aatp30\x0aRp31\x0asVnone\x0ap32\x0aNsVbool\x0ap33\x0a(lp34\x0aI01\x0aaI00\x0aasVnested\x0ap35\x0a(dp36\x0aVa\x0ap37\x0a(lp38\x0a(dp39\x0aVb\x0ap40\x0a(tsass.";
    const FDICT_P5: &[u8] = b"\x80\x05\x95S\x00\x00\x00\x00\x00\x00\x00\x8c\x06frappe\x94\x8c\x05_dict\x94\x93\x94)\x81\x94(\x8c\x04name\x94\x8c\x01x\x94\x8c\x05roles\x94]\x94\x8c\x0eSystem Manager\x94a\x8c\x05flags\x94h\x02)\x81\x94h\x0abuh\x03b.";
    const FDICT_P4: &[u8] = b"\x80\x04\x95S\x00\x00\x00\x00\x00\x00\x00\x8c\x06frappe\x94\x8c\x05_dict\x94\x93\x94)\x81\x94(\x8c\x04name\x94\x8c\x01x\x94\x8c\x05roles\x94]\x94\x8c\x0eSystem Manager\x94a\x8c\x05flags\x94h\x02)\x81\x94h\x0abuh\x03b.";
    const FDICT_P0: &[u8] = b"ccopy_reg\x0a_reconstructor\x0ap0\x0a(cfrappe\x0a_dict\x0ap1\x0ac__builtin__\x0adict\x0ap2\x0a(dp3\x0aVname\x0ap4\x0aVx\x0ap5\x0asVroles\x0ap6\x0a(lp7\x0aVSystem Manager\x0ap8\x0aasVflags\x0ap9\x0ag0\x0a(g1\x0ag2\x0a(dp10\x0atp11\x0aRp12\x0astp13\x0aRp14\x0ag14\x0ab.";
    const DOC_P5: &[u8] = b"\x80\x05\x95\xc2\x00\x00\x00\x00\x00\x00\x00\x8c\x15frappe.model.document\x94\x8c\x08Document\x94\x93\x94)\x81\x94}\x94(\x8c\x07doctype\x94\x8c\x04ToDo\x94\x8c\x04name\x94\x8c\x07TD-0001\x94\x8c\x08modified\x94\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\x0a\x07\xe8\x01\x0f\x0a\x1e\x05\x00\x00{\x94\x85\x94R\x94\x8c\x06amount\x94\x8c\x07decimal\x94\x8c\x07Decimal\x94\x93\x94\x8c\x041.50\x94\x85\x94R\x94\x8c\x04tags\x94\x8f\x94(\x8c\x06urgent\x94\x90ub.";
    const DOC_P4: &[u8] = b"\x80\x04\x95\xc2\x00\x00\x00\x00\x00\x00\x00\x8c\x15frappe.model.document\x94\x8c\x08Document\x94\x93\x94)\x81\x94}\x94(\x8c\x07doctype\x94\x8c\x04ToDo\x94\x8c\x04name\x94\x8c\x07TD-0001\x94\x8c\x08modified\x94\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\x0a\x07\xe8\x01\x0f\x0a\x1e\x05\x00\x00{\x94\x85\x94R\x94\x8c\x06amount\x94\x8c\x07decimal\x94\x8c\x07Decimal\x94\x93\x94\x8c\x041.50\x94\x85\x94R\x94\x8c\x04tags\x94\x8f\x94(\x8c\x06urgent\x94\x90ub.";
    const DOC_P2: &[u8] = b"\x80\x02cfrappe.model.document\x0aDocument\x0aq\x00)\x81q\x01}q\x02(X\x07\x00\x00\x00doctypeq\x03X\x04\x00\x00\x00ToDoq\x04X\x04\x00\x00\x00nameq\x05X\x07\x00\x00\x00TD-0001q\x06X\x08\x00\x00\x00modifiedq\x07cdatetime\x0adatetime\x0aq\x08c_codecs\x0aencode\x0aq\x09X\x0b\x00\x00\x00\x07\xc3\xa8\x01\x0f\x0a\x1e\x05\x00\x00{q\x0aX\x06\x00\x00\x00latin1q\x0b\x86q\x0cRq\x0d\x85q\x0eRq\x0fX\x06\x00\x00\x00amountq\x10cdecimal\x0aDecimal\x0aq\x11X\x04\x00\x00\x001.50q\x12\x85q\x13Rq\x14X\x04\x00\x00\x00tagsq\x15c__builtin__\x0aset\x0aq\x16]q\x17X\x06\x00\x00\x00urgentq\x18a\x85q\x19Rq\x1aub.";
    const DATES_P5: &[u8] = b"\x80\x05\x95\xab\x00\x00\x00\x00\x00\x00\x00]\x94(\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\x0a\x07\xe8\x01\x0f\x0a\x1e\x00\x00\x00\x00\x94\x85\x94R\x94h\x01\x8c\x04date\x94\x93\x94C\x04\x07\xe8\x02\x1d\x94\x85\x94R\x94h\x01\x8c\x04time\x94\x93\x94C\x06\x17;;\x00\x00\x00\x94\x85\x94R\x94h\x01\x8c\x09timedelta\x94\x93\x94J\xff\xff\xff\xffK\x05K\x00\x87\x94R\x94h\x03C\x0a\x07\xe8\x01\x0f\x00\x00\x00\x00\x00\x00\x94h\x01\x8c\x08timezone\x94\x93\x94h\x12K\x00K\x00K\x00\x87\x94R\x94\x85\x94R\x94\x86\x94R\x94e.";
    const EVIL_P5: &[u8] = b"\x80\x05\x95+\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x10touch /tmp/pwned\x94\x85\x94R\x94.";
    const EVIL_P4: &[u8] = b"\x80\x04\x95+\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x10touch /tmp/pwned\x94\x85\x94R\x94.";
    const SHARED_P5: &[u8] =
        b"\x80\x05\x95\x12\x00\x00\x00\x00\x00\x00\x00]\x94(]\x94(]\x94K\x01ah\x02eh\x01e.";
    const RECURSIVE_P5: &[u8] = b"\x80\x05\x95\x09\x00\x00\x00\x00\x00\x00\x00]\x94(K\x01h\x00e.";
    const BYTEARRAY_P5: &[u8] =
        b"\x80\x05\x95\x0d\x00\x00\x00\x00\x00\x00\x00\x96\x02\x00\x00\x00\x00\x00\x00\x00xy\x94.";
    const PLAIN_TEXT: &str = "{'int': [0, 255, 65536, -1, 2147483648, 9223372036854775808, \
        -1180591620717411303424], 'float': [1.5, -0.0, 1e+16, 1e-05], 'str': ['', 'héllo', '😀', \
        \"it's\"], 'bytes': [b'', b'\\x00\\xff'], 'tuple': (1,), 'set': {1, 2}, \
        'frozenset': frozenset({3}), 'none': None, 'bool': [True, False], 'nested': {'a': [{'b': ()}]}}";
    const FDICT_TEXT: &str =
        "frappe._dict({'name': 'x', 'roles': ['System Manager'], 'flags': frappe._dict()})";
    const DOC_TEXT: &str = "frappe.model.document.Document(doctype='ToDo', name='TD-0001', \
        modified=datetime.datetime(2024, 1, 15, 10, 30, 5, 123), amount=Decimal('1.50'), \
        tags={'urgent'})";

    fn full(data: &[u8]) -> Preview {
        preview(data, 10_000)
    }

    fn check(data: &[u8], kind: &str, text: &str) {
        let p = full(data);
        assert_eq!((p.kind.as_ref(), p.text.as_str()), (kind, text));
    }

    /// `pickle.dumps(v, protocol=5)` for single scalars.
    #[test]
    fn scalars() {
        check(b"\x80\x05N.", "None", "None");
        check(b"\x80\x05\x88.", "bool", "True");
        check(b"\x80\x05\x89.", "bool", "False");
        check(b"\x80\x05K*.", "int", "42");
        check(
            b"\x80\x05\x95\x0c\x00\x00\x00\x00\x00\x00\x00\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\xc0.",
            "int",
            "-1180591620717411303424",
        );
        check(
            b"\x80\x05\x95\x0a\x00\x00\x00\x00\x00\x00\x00G?\xf8\x00\x00\x00\x00\x00\x00.",
            "float",
            "1.5",
        );
        check(
            b"\x80\x05\x95\x0a\x00\x00\x00\x00\x00\x00\x00G\x7f\xf0\x00\x00\x00\x00\x00\x00.",
            "float",
            "inf",
        );
        check(
            b"\x80\x05\x95\x07\x00\x00\x00\x00\x00\x00\x00\x8c\x03a'b\x94.",
            "str",
            "\"a'b\"",
        );
        check(
            b"\x80\x05\x95\x06\x00\x00\x00\x00\x00\x00\x00C\x02\x00\xff\x94.",
            "bytes",
            "b'\\x00\\xff'",
        );
        check(b"\x80\x05)\x94.", "tuple", "()");
        check(b"\x80\x05\x8f\x94.", "set", "set()");
    }

    #[test]
    fn plain_containers_in_every_protocol() {
        for data in [PLAIN_P5, PLAIN_P4, PLAIN_P2, PLAIN_P0] {
            check(data, "dict", PLAIN_TEXT);
        }
        check(BYTEARRAY_P5, "bytearray", "bytearray(b'xy')");
    }

    /// Protocol 5 needs no special handling: its header is PROTO 5 and the only in-band opcode it
    /// adds, BYTEARRAY8, is decoded above.
    #[test]
    fn protocol_4_and_5_read_alike() {
        assert_eq!(full(PLAIN_P4), full(PLAIN_P5));
        assert_eq!(full(FDICT_P4), full(FDICT_P5));
        assert_eq!(full(DOC_P4), full(DOC_P5));
        assert_eq!(full(EVIL_P4), full(EVIL_P5));
    }

    #[test]
    fn frappe_dict_shows_its_class_and_items() {
        for data in [FDICT_P5, FDICT_P4, FDICT_P0] {
            check(data, "frappe._dict", FDICT_TEXT);
        }
    }

    #[test]
    fn documents_show_their_state_with_dates_and_decimals() {
        for data in [DOC_P5, DOC_P4, DOC_P2] {
            check(data, "frappe.model.document.Document", DOC_TEXT);
        }
    }

    #[test]
    fn stdlib_values_render_like_their_repr() {
        check(
            DATES_P5,
            "list",
            "[datetime.datetime(2024, 1, 15, 10, 30), datetime.date(2024, 2, 29), \
             datetime.time(23, 59, 59), datetime.timedelta(days=-1, seconds=5), \
             datetime.datetime(2024, 1, 15, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(0)))]",
        );
    }

    /// The call is described, with what it would have run; nothing is called or imported.
    #[test]
    fn a_malicious_reduce_is_described_not_run() {
        check(EVIL_P5, "posix.system", "posix.system('touch /tmp/pwned')");
    }

    #[test]
    fn shared_and_recursive_structures() {
        check(SHARED_P5, "list", "[[[1], [1]], [[1], [1]]]");
        check(RECURSIVE_P5, "list", "[1, [...]]");
    }

    #[test]
    fn text_is_cut_to_max_len_with_an_ellipsis() {
        for max_len in [0, 1, 2, 10, 50, PLAIN_TEXT.chars().count() - 1] {
            let text = preview(PLAIN_P5, max_len).text;
            assert_eq!(text.chars().count(), max_len, "{max_len}: {text}");
            if max_len > 0 {
                assert!(text.ends_with('…'), "{text}");
                let head: String = PLAIN_TEXT.chars().take(max_len - 1).collect();
                assert!(text.starts_with(&head), "{text}");
            }
        }
        assert_eq!(
            preview(PLAIN_P5, PLAIN_TEXT.chars().count()).text,
            PLAIN_TEXT
        );
        let opaque = preview(b"garbage that is not a pickle", 12);
        assert_eq!(
            (opaque.kind.as_ref(), opaque.text.chars().count()),
            ("opaque", 12)
        );
    }

    #[test]
    fn what_cannot_be_decoded_is_opaque_with_a_reason() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "empty value"),
            (b"5", "not a pickle: b'5'"),
            (b"hello world", "not a pickle: b'hello world'"),
            (b"\x80\x06N.", "unsupported pickle protocol 6"),
            (b"\x80\x05N", "truncated"),
            (b"\x80\x05\x97.", "out-of-band buffer"),
            (
                b"\x80\x05\x8e\xff\xff\xff\xff\xff\xff\xff\xff.",
                "truncated",
            ),
            (b"\x80\x05h\x07.", "memo key 7 missing"),
            (b"\x80\x05a.", "stack underflow"),
            (b"\x80\x05NQ.", "persistent id"),
            (b"\x80\x05N\x82\x01.", "extension code"),
        ];
        for (data, reason) in cases {
            let p = full(data);
            assert_eq!(p.kind, "opaque", "{data:?}");
            assert!(p.text.starts_with(reason), "{data:?}: {}", p.text);
        }
    }

    /// Inputs that crash or stall serde-pickle 1.2 (stack overflow, exponential copies) are cheap.
    #[test]
    fn hostile_pickles_stay_cheap() {
        let n = 1_000_000;
        let mut deep = b"\x80\x05".to_vec();
        deep.extend(std::iter::repeat_n(b'(', n));
        deep.extend(std::iter::repeat_n(b'l', n));
        deep.push(b'.');
        let p = preview(&deep, 80);
        assert_eq!(p.kind, "list");
        assert!(p.text.starts_with("[[[[") && p.text.chars().count() <= 80);

        // DUP then TUPLE2, 100 000 times: 2**100000 leaves if copied.
        let mut dup = b"\x80\x05]".to_vec();
        for _ in 0..100_000 {
            dup.extend_from_slice(b"2\x86");
        }
        dup.push(b'.');
        assert_eq!(preview(&dup, 80).kind, "tuple");

        // The same through the memo.
        let mut laughs = b"\x80\x05]\x940".to_vec();
        for i in 0u32..5000 {
            for _ in 0..2 {
                laughs.push(b'j');
                laughs.extend_from_slice(&i.to_le_bytes());
            }
            laughs.extend_from_slice(b"\x86\x940");
        }
        laughs.push(b'j');
        laughs.extend_from_slice(&5000u32.to_le_bytes());
        laughs.push(b'.');
        assert_eq!(preview(&laughs, 80).kind, "tuple");

        // Five million MARKs, stack entries and a 100 000-byte integer.
        let mut wide = b"(".to_vec();
        wide.extend(std::iter::repeat_n(b'N', 5_000_000));
        wide.extend_from_slice(b"l.");
        assert_eq!(preview(&wide, 80).kind, "opaque");
        let mut big = b"\x80\x05\x8b\xa0\x86\x01\x00".to_vec();
        big.extend(std::iter::repeat_n(1u8, 100_000));
        big.push(b'.');
        assert_eq!(
            preview(&big, 80),
            Preview {
                kind: Cow::Borrowed("int"),
                text: "<int of 800000 bits>".into()
            }
        );
    }

    /// xorshift64*, so the test needs no crate and repeats exactly.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const CORPUS: &[&[u8]] = &[
        PLAIN_P5,
        PLAIN_P4,
        PLAIN_P2,
        PLAIN_P0,
        FDICT_P5,
        FDICT_P4,
        FDICT_P0,
        DOC_P5,
        DOC_P4,
        DOC_P2,
        DATES_P5,
        EVIL_P5,
        SHARED_P5,
        RECURSIVE_P5,
        BYTEARRAY_P5,
    ];

    /// Without `preview`'s `catch_unwind`, so that a panic fails the test.
    fn assert_sane(data: &[u8], max_len: usize) {
        let p = preview_unchecked(data, max_len);
        assert!(p.text.chars().count() <= max_len, "{data:?} -> {p:?}");
    }

    #[test]
    fn never_panics_on_truncated_or_corrupted_pickles() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for data in CORPUS {
            for end in 0..data.len() {
                let p = preview_unchecked(&data[..end], 60);
                assert_eq!(p.kind, "opaque", "{:?}", &data[..end]);
            }
            for _ in 0..2000 {
                let mut bad = data.to_vec();
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(bad.len());
                    match rng.below(3) {
                        0 => bad[at] = rng.next() as u8,
                        1 => {
                            bad.remove(at);
                        }
                        _ => bad.insert(at, rng.next() as u8),
                    }
                }
                assert_sane(&bad, 1 + rng.below(200));
            }
        }
    }

    #[test]
    fn never_panics_on_random_bytes_or_opcode_soup() {
        let mut rng = Rng(42);
        let opcodes = b"().012FIJKLMNPQRSTUVXBCGabcdeghijloprstu}]\x80\x81\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98";
        for _ in 0..20_000 {
            let len = rng.below(64);
            let random: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            assert_sane(&random, 80);
            let mut soup = b"\x80\x05".to_vec();
            for _ in 0..len {
                soup.push(opcodes[rng.below(opcodes.len())]);
                if rng.below(3) == 0 {
                    soup.push(rng.below(4) as u8);
                }
            }
            soup.push(b'.');
            assert_sane(&soup, 80);
        }
    }

    #[test]
    fn python_float_repr() {
        for (x, text) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5e-7, "-2.5e-07"),
            (1e16, "1e+16"),
            (123456789012345.6, "123456789012345.6"),
            (1e-4, "0.0001"),
            (1.5e300, "1.5e+300"),
            (f64::NAN, "nan"),
        ] {
            assert_eq!(py_float(x), text);
        }
    }

    #[test]
    fn class_kinds_are_dotted_names_or_object() {
        assert_eq!(class_kind(b"frappe", b"_dict"), "frappe._dict");
        assert_eq!(class_kind(b"myapp.models", b"Thing"), "myapp.models.Thing");
        assert_eq!(class_kind(b"my app", b"x"), "object");
        assert_eq!(class_kind(b"m", b"x\n"), "object");
    }

    /// serde-pickle serves as an independent oracle: on plain data it must agree with the walker
    /// (dicts and sets compared as sorted, since its Value keeps them in BTrees).
    #[test]
    fn agrees_with_serde_pickle_on_plain_data() {
        fn walker(nodes: &[Node], id: Id) -> String {
            let each = |ids: &[Id]| ids.iter().map(|&i| walker(nodes, i)).collect::<Vec<_>>();
            match &nodes[id as usize] {
                Node::None => "None".into(),
                Node::Bool(b) => b.to_string(),
                Node::Int(i) => i.to_string(),
                Node::BigInt(b) => le_to_decimal(b),
                Node::DecInt(s) => s.clone(),
                Node::Float(f) => format!("f{:x}", f.to_bits()),
                Node::Str(s) => format!("s{:?}", String::from_utf8_lossy(s)),
                Node::Bytes(b, _) => format!("b{:?}", b.as_ref()),
                Node::List(v) => format!("[{}]", each(v).join(",")),
                Node::Tuple(v) => format!("({})", each(v).join(",")),
                Node::Set(v) | Node::FrozenSet(v) => {
                    let mut items = each(v);
                    items.sort();
                    format!("{{{}}}", items.join(","))
                }
                Node::Dict(pairs) => {
                    let mut items: Vec<String> = pairs
                        .iter()
                        .map(|&(k, v)| format!("{}:{}", walker(nodes, k), walker(nodes, v)))
                        .collect();
                    items.sort();
                    format!("{{{}}}", items.join(","))
                }
                Node::Global(..) | Node::Object(_) => panic!("not plain data"),
            }
        }
        fn serde(value: &serde_pickle::Value) -> String {
            use serde_pickle::Value as V;
            let each = |vs: &[V]| vs.iter().map(serde).collect::<Vec<_>>();
            let set = |hs: &std::collections::BTreeSet<serde_pickle::HashableValue>| {
                let mut items: Vec<String> =
                    hs.iter().map(|h| serde(&h.clone().into_value())).collect();
                items.sort();
                format!("{{{}}}", items.join(","))
            };
            match value {
                V::None => "None".into(),
                V::Bool(b) => b.to_string(),
                V::I64(i) => i.to_string(),
                V::Int(i) => i.to_string(),
                V::F64(f) => format!("f{:x}", f.to_bits()),
                V::String(s) => format!("s{s:?}"),
                V::Bytes(b) => format!("b{b:?}"),
                V::List(v) => format!("[{}]", each(v).join(",")),
                V::Tuple(v) => format!("({})", each(v).join(",")),
                V::Set(s) | V::FrozenSet(s) => set(s),
                V::Dict(map) => {
                    let mut items: Vec<String> = map
                        .iter()
                        .map(|(k, v)| format!("{}:{}", serde(&k.clone().into_value()), serde(v)))
                        .collect();
                    items.sort();
                    format!("{{{}}}", items.join(","))
                }
            }
        }
        // Protocols 0-2 write `b''` as `builtins.bytes()`, which serde-pickle does not resolve.
        for data in [PLAIN_P5, PLAIN_P4, BYTEARRAY_P5] {
            let (nodes, root) = Machine::new(data).run().expect("decodes");
            let theirs = serde_pickle::value_from_slice(data, serde_pickle::DeOptions::new())
                .expect("serde-pickle decodes plain data");
            assert_eq!(walker(&nodes, root), serde(&theirs));
        }
    }
}
