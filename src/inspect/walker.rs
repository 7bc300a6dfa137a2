//! The opcode walker: a stack machine that reads a pickle (protocols 0-5) and builds a
//! description of the value in an arena (`Node`s), calling and importing nothing. Hostile input
//! is bounded by the caps below; see `mod.rs` for why this is not serde-pickle.
//!
//! `Machine::run` is one `match` with an arm per opcode, which is why this file is long: each arm
//! is a few lines, and splitting the table would scatter what one opcode does.

use std::borrow::Cow;
use std::collections::HashMap;

// Caps that bound the memory a hostile pickle can make the walk use (some 150 MB at worst);
// real cache values stay far below them.
pub(super) const MAX_NODES: usize = 1 << 20;
pub(super) const MAX_ENTRIES: usize = 1 << 22;
pub(super) const MAX_STACK: usize = 1 << 22;
pub(super) const MAX_MARKS: usize = 1 << 20;
pub(super) const MAX_MEMO: usize = MAX_NODES;
/// Containers nested deeper than this render as `…`.
pub(super) const MAX_DEPTH: usize = 48;
/// `max_len` is capped here: rendering a shared structure costs as much as its text.
pub(super) const MAX_TEXT: usize = 1 << 20;
/// Integers longer than this many bytes render as `<int of N bits>` (conversion is quadratic).
pub(super) const MAX_INT_BYTES: usize = 1024;

pub(super) type Id = u32;
pub(super) type Fallible<T> = Result<T, String>;

pub(super) const NONE: Id = 0;
pub(super) const TRUE: Id = 1;
pub(super) const FALSE: Id = 2;

/// What unpickling would build. Strings and bytes borrow from the input when they can.
pub(super) enum Node<'a> {
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
pub(super) struct Object {
    pub(super) class: Id,
    pub(super) called: bool,
    pub(super) args: Option<Id>,
    pub(super) kwargs: Option<Id>,
    pub(super) state: Option<Id>,
    pub(super) items: Vec<Id>,
    pub(super) pairs: Vec<(Id, Id)>,
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

pub(super) fn type_name(node: Option<&Node>) -> &'static str {
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
pub(super) struct Machine<'a> {
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
    pub(super) fn new(data: &'a [u8]) -> Self {
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

    pub(super) fn run(mut self) -> Fallible<(Vec<Node<'a>>, Id)> {
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
pub(super) fn pairs(items: Vec<Id>) -> Fallible<Vec<(Id, Id)>> {
    if !items.len().is_multiple_of(2) {
        return Err("odd number of items for a dict".into());
    }
    Ok(items.chunks_exact(2).map(|kv| (kv[0], kv[1])).collect())
}

pub(super) fn int_from_le(b: &[u8]) -> Node<'_> {
    if b.len() > 8 {
        return Node::BigInt(b);
    }
    let negative = b.last().is_some_and(|&last| last & 0x80 != 0);
    let mut raw = if negative { [0xff; 8] } else { [0; 8] };
    raw[..b.len()].copy_from_slice(b);
    Node::Int(i64::from_le_bytes(raw))
}

pub(super) fn int_from_text(text: &[u8]) -> Option<Node<'static>> {
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

pub(super) fn latin1_to_utf8(b: &[u8]) -> Vec<u8> {
    b.iter()
        .map(|&c| char::from(c))
        .collect::<String>()
        .into_bytes()
}

pub(super) fn utf8_to_latin1(text: &[u8]) -> Option<Vec<u8>> {
    std::str::from_utf8(text)
        .ok()?
        .chars()
        .map(|c| u8::try_from(c).ok())
        .collect()
}

/// `codecs.escape_decode`, as Python applies it to the `STRING` argument.
pub(super) fn escape_decode(s: &[u8]) -> Vec<u8> {
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
pub(super) fn raw_unicode_escape(s: &[u8]) -> String {
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

/// The first 16 bytes as a bytes literal (at most 69 characters), for "not a pickle" messages.
fn bytes_head(data: &[u8]) -> String {
    let head = &data[..data.len().min(16)];
    let mut out = String::from("b'");
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
    out
}
