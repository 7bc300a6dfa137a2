//! The walker and renderer against pickles CPython wrote, serde-pickle as an oracle, and hostile input.

use super::render::{le_to_decimal, py_float};
use super::walker::*;
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
