//! One page of a property read (`RetrievePropertiesEx`,
//! `ContinueRetrievePropertiesEx`), object by object as the body arrives:
//! each `<objects>` element is cut out of the bytes received so far and
//! decoded alone, and the bytes before it are let go, so a page costs one
//! object plus one network chunk however large it is (the simulator ignores
//! `maxObjects` and sends 30 MB for 5000 VMs in one page).
//!
//! Cut objects are decoded in batches on tokio's blocking pool, one batch
//! per core at a time, while this task goes on reading and cutting, up to
//! [`IN_FLIGHT`] batches ahead of the decoders: on a server that builds its
//! whole answer before sending it (the simulator), decoding would otherwise
//! start only as the bytes arrive and end long after the last one. Objects
//! come out in the page's order, and what is held stays bounded by those
//! batches.
//!
//! A body that arrived whole (a cassette, the wire log on) is decoded whole.

use crate::Error;
use crate::rt::{BodyStream, Streamed};
use crate::types::{CompactString, ObjectContent, RetrieveResult};
use crate::xml::{DecodeError, XmlReader};
use std::collections::VecDeque;
use tokio::task::JoinHandle;

/// The objects and the continuation token of one page.
pub(crate) struct Page {
    src: Src,
}

enum Src {
    Decoded {
        objects: std::vec::IntoIter<ObjectContent>,
        token: Option<CompactString>,
    },
    Arriving(Box<Scanner>),
}

impl Page {
    pub(crate) fn new(resp: Streamed) -> Result<Self, Error> {
        Ok(Self {
            src: match resp {
                Streamed::Whole(body) => decoded(&body)?,
                Streamed::Arriving(body) => Src::Arriving(Box::new(Scanner::new(body))),
            },
        })
    }

    /// The next object of the page; `None` once the page has ended.
    pub(crate) async fn next(&mut self) -> Result<Option<ObjectContent>, Error> {
        loop {
            match &mut self.src {
                Src::Decoded { objects, .. } => return Ok(objects.next()),
                Src::Arriving(s) => match s.next().await? {
                    Next::Object(o) => return Ok(Some(o)),
                    Next::End => return Ok(None),
                    // A fault with 200 OK: decode the whole envelope so the
                    // fault surfaces the way it does for any call.
                    Next::Whole(body) => self.src = decoded(&body)?,
                },
            }
        }
    }

    /// The token for `ContinueRetrievePropertiesEx`, once [`next`](Self::next)
    /// has returned `None`.
    pub(crate) fn token(&self) -> Option<&str> {
        match &self.src {
            Src::Decoded { token, .. } => token.as_deref(),
            Src::Arriving(s) => s.token.as_deref(),
        }
    }
}

fn decoded(body: &[u8]) -> Result<Src, Error> {
    let r = crate::rt::ret_opt::<RetrieveResult>(body)?.unwrap_or_default();
    Ok(Src::Decoded {
        objects: r.objects.into_iter(),
        token: r.token,
    })
}

enum Next {
    Object(ObjectContent),
    End,
    Whole(Vec<u8>),
}

/// Objects cut from the page and not yet handed on, in the page's order.
enum Batch {
    /// Waiting for a decoder: the fragment and its number of objects.
    Cut(Vec<u8>, usize),
    Decoding(JoinHandle<Vec<Result<ObjectContent, DecodeError>>>),
    Done(std::vec::IntoIter<Result<ObjectContent, DecodeError>>),
    Failed(Option<Error>),
}

/// Batches cut and not yet decoded, at most. With [`BATCH_BYTES`] this lets
/// up to 4 MiB of cut objects wait for a decoder, so the reader is rarely
/// held up by them and takes the body as fast as the server sends it: on
/// two cores against the simulator's 30 MB page, 2 x 256 KiB left 0.32 s
/// of decoding after the last byte, 8 x 512 KiB 0.16 s, for about 5 MiB
/// more peak memory (the `inventory` bench, median of 5).
const IN_FLIGHT: usize = 8;

/// Bytes of objects in one batch: about eighty VMs with their devices, so
/// handing a batch over costs little next to decoding it.
const BATCH_BYTES: usize = 512 * 1024;

/// A batch buffer's capacity: [`BATCH_BYTES`] and room for the object that
/// fills it, so the buffer is allocated once per batch.
const BATCH_ROOM: usize = BATCH_BYTES + 64 * 1024;

enum Step {
    /// An object's bytes; `true` when its end was found by searching for
    /// its end tag rather than by reading every tag (see [`Scanner::quick`]).
    Object(usize, usize, bool),
    NeedMore,
    End,
    Fault,
}

/// Depth of `<objects>` and `<token>`: Envelope, Body, the response,
/// `returnval`, then them.
const ITEM_DEPTH: usize = 5;

/// How much of one object is held while searching for its end tag before
/// reading it tag by tag instead (which holds no more than a chunk).
const QUICK_LIMIT: usize = 1 << 20;

struct Scanner {
    body: Box<dyn BodyStream>,
    buf: Vec<u8>,
    /// Where scanning resumes: always at a construct's start.
    pos: usize,
    ended: bool,
    depth: usize,
    /// Local names of the open elements above the items.
    stack: Vec<String>,
    /// The namespace declarations of those elements, for each fragment.
    ns: String,
    obj_start: Option<usize>,
    /// The end tag of the open object (`</objects>`, with its prefix), and
    /// where the search for it resumes.
    obj_close: Vec<u8>,
    search_from: usize,
    /// Read the open object tag by tag: its end tag was not where the
    /// search found it, or not found within [`QUICK_LIMIT`].
    tag_by_tag: bool,
    token_start: Option<usize>,
    token: Option<CompactString>,
    /// Bytes before the response element are kept until it is known not to
    /// be a fault (which is decoded whole).
    past_head: bool,
    frag: Vec<u8>,
    /// Bytes let go of, for error offsets.
    consumed: u64,
    /// Cut objects, oldest first.
    queue: VecDeque<Batch>,
    /// The batch being filled: `<returnval ...>` and whole objects.
    batch: Vec<u8>,
    batch_objects: usize,
    /// The page's last object has been cut.
    cut_all: bool,
    /// The open elements above the objects, for the errors of batches
    /// (handed on when the scan may have left them).
    item_stack: Vec<String>,
}

/// Batches decoded at once: one per core (more threads would only share
/// the cores, each with its own allocator arena). Asked once per process:
/// on Linux the answer reads cgroup files.
fn decoders() -> usize {
    static DECODERS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *DECODERS.get_or_init(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
}

impl Scanner {
    fn new(body: Box<dyn BodyStream>) -> Self {
        Self {
            body,
            buf: Vec::with_capacity(64 * 1024),
            pos: 0,
            ended: false,
            depth: 0,
            stack: Vec::new(),
            ns: String::new(),
            obj_start: None,
            obj_close: Vec::new(),
            search_from: 0,
            tag_by_tag: false,
            token_start: None,
            token: None,
            past_head: false,
            frag: Vec::new(),
            consumed: 0,
            queue: VecDeque::new(),
            batch: Vec::new(),
            batch_objects: 0,
            cut_all: false,
            item_stack: Vec::new(),
        }
    }

    async fn next(&mut self) -> Result<Next, Error> {
        loop {
            // Hand on what is decoded, in order; wait for the oldest batch
            // once enough are waiting or nothing is left to cut.
            self.start_decoders();
            let pending = self.pending();
            match self.queue.front_mut() {
                Some(Batch::Done(objects)) => match objects.next() {
                    Some(Ok(o)) => return Ok(Next::Object(o)),
                    Some(Err(mut e)) => {
                        for name in self.item_stack.iter().rev() {
                            e = e.within(name);
                        }
                        let e = Error::Decode(e);
                        self.queue.clear();
                        self.queue.push_back(Batch::Failed(None));
                        return Err(e);
                    }
                    None => {
                        self.queue.pop_front();
                        continue;
                    }
                },
                Some(Batch::Failed(e)) => {
                    let e = e.take();
                    return Err(e.unwrap_or_else(|| {
                        self.error("the page was not read to its end after an error".into())
                    }));
                }
                Some(b @ Batch::Cut(..)) => {
                    // Not left by start_decoders; decoded here all the same.
                    if let Batch::Cut(batch, n) = std::mem::replace(b, Batch::Failed(None)) {
                        *b = Batch::Done(decode_batch(&batch, n).into_iter());
                    }
                    continue;
                }
                Some(Batch::Decoding(h))
                    if h.is_finished() || pending >= IN_FLIGHT || self.cut_all =>
                {
                    let objects = joined(h.await);
                    self.queue[0] = Batch::Done(objects.into_iter());
                    continue;
                }
                _ if self.cut_all => {
                    return Ok(Next::End);
                }
                _ => {}
            }
            match self.scan() {
                Ok(Step::Object(a, b, quick)) => {
                    if quick && !self.surely_whole(a, b) {
                        // The search may have stopped at the end tag of an
                        // inner element of the same name, or at one inside a
                        // comment or CDATA: decode it here, where it can be
                        // read again tag by tag.
                        match self.decode(a, b) {
                            Ok(o) => {
                                self.flush();
                                self.queue.push_back(Batch::Done(vec![Ok(o)].into_iter()));
                            }
                            Err(_) => {
                                self.pos = a;
                                self.depth = ITEM_DEPTH - 1;
                                self.tag_by_tag = true;
                            }
                        }
                    } else {
                        self.add(a, b);
                    }
                }
                Ok(Step::End) => {
                    // Nothing to overlap the last batch with: decode it here.
                    if self.pending() == 0 && self.batch_objects > 0 {
                        let (batch, n) = self.close_batch();
                        let objects = decode_batch(&batch, n);
                        self.queue.push_back(Batch::Done(objects.into_iter()));
                    } else {
                        self.flush();
                    }
                    self.cut_all = true;
                }
                Ok(Step::Fault) => {
                    while !self.ended {
                        self.read().await?;
                    }
                    return Ok(Next::Whole(std::mem::take(&mut self.buf)));
                }
                Ok(Step::NeedMore) if self.ended => {
                    let e = self.error(if self.depth == 0 {
                        "the body has no SOAP envelope".to_string()
                    } else {
                        format!("the body ended inside <{}>", self.open_path())
                    });
                    self.fail(e);
                }
                Ok(Step::NeedMore) => {
                    // Whatever is cut goes to the decoders before waiting
                    // for the network, if they have nothing else to do.
                    if self.pending() == 0 {
                        self.flush();
                    }
                    self.compact();
                    // Reading may wait on the network: meanwhile the oldest
                    // batch, once decoded, is handed on (a server that
                    // trickles its page must still see its objects taken).
                    // The read is dropped then, which loses nothing: a body
                    // part is only taken when it is appended.
                    let woke = match self.queue.front_mut() {
                        Some(Batch::Decoding(h)) => tokio::select! {
                            biased;
                            j = h => Woke::Decoded(j),
                            r = self.body.read_into(&mut self.buf) => Woke::Read(r),
                        },
                        _ => Woke::Read(self.body.read_into(&mut self.buf).await),
                    };
                    match woke {
                        Woke::Decoded(j) => self.queue[0] = Batch::Done(joined(j).into_iter()),
                        Woke::Read(Ok(more)) => self.ended = !more,
                        Woke::Read(Err(e)) => self.fail(e.into()),
                    }
                }
                Err(e) => self.fail(e),
            }
        }
    }

    /// Batches cut and not yet decoded.
    fn pending(&self) -> usize {
        self.queue
            .iter()
            .filter(|b| matches!(b, Batch::Cut(..) | Batch::Decoding(_)))
            .count()
    }

    /// Hands the oldest cut batches to the blocking pool, while a core has
    /// none. Batches are started in order, so the queue's front is never
    /// one still waiting.
    fn start_decoders(&mut self) {
        let mut running = 0;
        for b in self.queue.iter_mut() {
            match b {
                Batch::Decoding(h) if !h.is_finished() => running += 1,
                Batch::Cut(..) if running < decoders() => {
                    if let Batch::Cut(batch, n) = std::mem::replace(b, Batch::Failed(None)) {
                        *b = Batch::Decoding(tokio::task::spawn_blocking(move || {
                            decode_batch(&batch, n)
                        }));
                    }
                    running += 1;
                }
                Batch::Cut(..) => return,
                _ => {}
            }
        }
    }

    /// Adds the object `a..b` to the batch being filled.
    fn add(&mut self, a: usize, b: usize) {
        if self.item_stack.is_empty() {
            self.item_stack = self.stack.clone();
        }
        if self.batch_objects == 0 {
            self.batch.reserve(BATCH_ROOM);
            open_fragment(&mut self.batch, &self.ns);
        }
        self.batch.extend_from_slice(&self.buf[a..b]);
        self.batch_objects += 1;
        if self.batch.len() >= BATCH_BYTES {
            self.flush();
        }
    }

    fn close_batch(&mut self) -> (Vec<u8>, usize) {
        self.batch.extend_from_slice(b"</returnval>");
        let n = std::mem::take(&mut self.batch_objects);
        (std::mem::take(&mut self.batch), n)
    }

    /// Sends the batch being filled to the decoders.
    fn flush(&mut self) {
        if self.batch_objects > 0 {
            let (batch, n) = self.close_batch();
            self.queue.push_back(Batch::Cut(batch, n));
            self.start_decoders();
        }
    }

    /// Ends the page with `e`, after the objects cut before it.
    fn fail(&mut self, e: Error) {
        self.flush();
        self.queue.push_back(Batch::Failed(Some(e)));
        self.cut_all = true;
    }

    /// Whether the object `a..b`, its end found by searching for its end
    /// tag, can only be one whole object: nothing inside it names
    /// `objects` (an inner element of that name) or opens a comment, CDATA
    /// or a processing instruction (which may hold the end tag).
    fn surely_whole(&self, a: usize, b: usize) -> bool {
        let name = self.obj_close.len() - 3;
        let inner = &self.buf[a + 1 + name..b - self.obj_close.len()];
        memchr::memmem::find(inner, b"objects").is_none()
            && !memchr::memchr2_iter(b'!', b'?', inner).any(|i| i > 0 && inner[i - 1] == b'<')
    }

    async fn read(&mut self) -> Result<(), Error> {
        if !self.body.read_into(&mut self.buf).await? {
            self.ended = true;
        }
        Ok(())
    }

    /// Lets go of the bytes already dealt with.
    fn compact(&mut self) {
        if !self.past_head {
            return;
        }
        let keep = [Some(self.pos), self.obj_start, self.token_start]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(self.pos);
        if keep == 0 {
            return;
        }
        self.buf.drain(..keep);
        self.consumed += keep as u64;
        self.pos -= keep;
        self.obj_start = self.obj_start.map(|s| s - keep);
        self.search_from = self.search_from.saturating_sub(keep);
        self.token_start = self.token_start.map(|s| s - keep);
    }

    fn open_path(&self) -> String {
        self.stack.join("/")
    }

    fn error(&self, message: String) -> Error {
        let e = crate::xml::DecodeError::new(
            self.consumed + self.pos as u64,
            crate::xml::DecodeErrorKind::Unexpected(message),
        );
        Error::Decode(self.within_stack(e))
    }

    /// Puts the open elements in front of an error's path.
    fn within_stack(&self, mut e: crate::xml::DecodeError) -> crate::xml::DecodeError {
        for name in self.stack.iter().rev() {
            e = e.within(name);
        }
        e
    }

    /// Whether the open elements are Envelope/Body/<response>/returnval.
    fn in_returnval(&self) -> bool {
        self.stack.len() == 4 && self.stack[1] == "Body" && self.stack[3] == "returnval"
    }

    fn scan(&mut self) -> Result<Step, Error> {
        loop {
            if let Some(step) = self.quick() {
                return Ok(step);
            }
            let Some(lt) = memchr::memchr(b'<', &self.buf[self.pos..]) else {
                // Text (a token's, or whitespace): nothing to keep unless a
                // token is open, which holds its own start.
                self.pos = self.buf.len();
                return Ok(Step::NeedMore);
            };
            let at = self.pos + lt;
            let tail = &self.buf[at..];
            if tail.len() < 2 {
                self.pos = at;
                return Ok(Step::NeedMore);
            }
            match tail[1] {
                b'?' => match find(tail, b"?>") {
                    Some(e) => self.pos = at + e + 2,
                    None => return Ok(self.wait_at(at)),
                },
                b'!' => {
                    let end = if tail.starts_with(b"<!--") {
                        find(tail, b"-->").map(|e| e + 3)
                    } else if tail.starts_with(b"<![CDATA[") {
                        find(tail, b"]]>").map(|e| e + 3)
                    } else if tail.len() < 9 {
                        None
                    } else {
                        // A DOCTYPE (entities, external references) has no
                        // place in a SOAP response.
                        return Err(
                            self.error("a DOCTYPE or markup declaration is not accepted".into())
                        );
                    };
                    match end {
                        Some(e) => self.pos = at + e,
                        None => return Ok(self.wait_at(at)),
                    }
                }
                b'/' => {
                    let Some(gt) = memchr::memchr(b'>', tail) else {
                        return Ok(self.wait_at(at));
                    };
                    let end = at + gt + 1;
                    if self.depth == 0 {
                        return Err(self.error("an end tag without a start tag".into()));
                    }
                    let closing = self.depth;
                    self.depth -= 1;
                    if self.stack.len() > self.depth {
                        self.stack.pop();
                    }
                    self.pos = end;
                    if closing == ITEM_DEPTH {
                        if let Some(s) = self.obj_start.take() {
                            self.tag_by_tag = false;
                            return Ok(Step::Object(s, end, false));
                        }
                        if let Some(s) = self.token_start.take() {
                            let raw = String::from_utf8_lossy(&self.buf[s..at]);
                            let text = quick_xml::escape::unescape(raw.trim())
                                .map_err(|e| self.error(format!("token: {e}")))?;
                            self.token = Some(text.into());
                        }
                    }
                    if self.depth == 0 {
                        return Ok(Step::End);
                    }
                }
                _ => {
                    let Some(gt) = tag_end(tail) else {
                        return Ok(self.wait_at(at));
                    };
                    let end = at + gt + 1;
                    let content = &tail[1..gt];
                    let self_closing = content.ends_with(b"/");
                    let depth = self.depth + 1;
                    if depth > ITEM_DEPTH {
                        // Inside an object (or a token): only the nesting
                        // matters here; the object's decoder reads the rest.
                        if !self_closing {
                            self.depth = depth;
                        }
                        self.pos = end;
                        continue;
                    }
                    let name_len = content
                        .iter()
                        .position(|b| b.is_ascii_whitespace() || *b == b'/')
                        .unwrap_or(content.len());
                    let name = std::str::from_utf8(&content[..name_len])
                        .map_err(|_| self.error("an element name is not UTF-8".into()))?;
                    let local = name.rsplit(':').next().unwrap_or(name).to_string();
                    if depth < ITEM_DEPTH {
                        // Few and short: the envelope's head elements.
                        let content = content.to_vec();
                        if let Some(step) = self.open_head(depth, &local, &content, name_len)? {
                            return Ok(step);
                        }
                    } else if depth == ITEM_DEPTH && self.in_returnval() {
                        match local.as_str() {
                            "objects" if self_closing => {
                                self.pos = end;
                                return Ok(Step::Object(at, end, false));
                            }
                            "objects" => {
                                self.obj_start = Some(at);
                                self.obj_close.clear();
                                self.obj_close.extend_from_slice(b"</");
                                self.obj_close.extend_from_slice(name.as_bytes());
                                self.obj_close.push(b'>');
                                self.search_from = end;
                            }
                            "token" if self_closing => self.token = Some(CompactString::default()),
                            "token" => self.token_start = Some(end),
                            _ => {}
                        }
                    }
                    if !self_closing {
                        self.depth = depth;
                        if depth < ITEM_DEPTH {
                            self.stack.push(local);
                        }
                    }
                    self.pos = end;
                }
            }
        }
    }

    /// Inside an object, its end found by searching for its end tag instead
    /// of reading every tag inside it (most of the page's bytes): `None`
    /// when not inside an object read that way (the tag scan goes on),
    /// `NeedMore` while its end has not arrived (`pos` stays just after the
    /// object's start tag, where a tag-by-tag reading would begin).
    fn quick(&mut self) -> Option<Step> {
        let start = self.obj_start?;
        if self.tag_by_tag || self.depth != ITEM_DEPTH {
            return None;
        }
        let from = self.search_from.max(self.pos);
        match find(&self.buf[from..], &self.obj_close) {
            Some(i) => {
                let end = from + i + self.obj_close.len();
                self.obj_start = None;
                self.depth = ITEM_DEPTH - 1;
                self.pos = end;
                Some(Step::Object(start, end, true))
            }
            None if self.ended || self.buf.len() - start > QUICK_LIMIT => {
                // `</objects >`, say, or an object too large to hold:
                // tag by tag from just after its start tag.
                self.tag_by_tag = true;
                None
            }
            None => {
                // The next search starts where this one could not match.
                self.search_from = self.buf.len().saturating_sub(self.obj_close.len() - 1);
                Some(Step::NeedMore)
            }
        }
    }

    fn wait_at(&mut self, at: usize) -> Step {
        self.pos = at;
        Step::NeedMore
    }

    /// An element above the items: checks the envelope's shape and keeps
    /// its namespace declarations.
    fn open_head(
        &mut self,
        depth: usize,
        local: &str,
        content: &[u8],
        name_len: usize,
    ) -> Result<Option<Step>, Error> {
        match depth {
            1 if local != "Envelope" => {
                return Err(self.error(format!("<{local}> is not a SOAP envelope")));
            }
            3 if self.stack.get(1).is_some_and(|b| b == "Body") => {
                if local == "Fault" {
                    return Ok(Some(Step::Fault));
                }
                self.past_head = true;
            }
            _ => {}
        }
        let text = std::str::from_utf8(content)
            .map_err(|_| self.error(format!("the attributes of <{local}> are not UTF-8")))?;
        let start = quick_xml::events::BytesStart::from_content(text, name_len);
        for a in start.attributes().with_checks(false).flatten() {
            let key: &str = a.key.as_ref();
            if key == "xmlns" || key.starts_with("xmlns:") {
                let value = a.value.replace('"', "&quot;");
                self.ns.push(' ');
                self.ns.push_str(key);
                self.ns.push_str("=\"");
                self.ns.push_str(&value);
                self.ns.push('"');
            }
        }
        Ok(None)
    }

    fn decode(&mut self, a: usize, b: usize) -> Result<ObjectContent, Error> {
        open_fragment(&mut self.frag, &self.ns);
        self.frag.extend_from_slice(&self.buf[a..b]);
        self.frag.extend_from_slice(b"</returnval>");
        let mut r = XmlReader::new(&self.frag);
        let decoded = r.root().and_then(|_| match r.next_child()? {
            Some(start) => {
                let o = r
                    .value::<ObjectContent>(&start)
                    .map_err(|e| e.within("objects"))?;
                // One object and nothing after it: a cut found by searching
                // for the end tag may have taken in the next object too.
                match r.next_child()? {
                    None => Ok(o),
                    Some(_) => Err(r.unexpected("more than one object in a fragment")),
                }
            }
            None => Err(r.unexpected("an empty object")),
        });
        decoded.map_err(|e| Error::Decode(self.within_stack(e)))
    }
}

/// Starts a fragment of objects: a `returnval` that declares the prefixes
/// their ancestors did (`xsi`, the default namespace).
fn open_fragment(out: &mut Vec<u8>, ns: &str) {
    out.clear();
    out.extend_from_slice(b"<returnval");
    out.extend_from_slice(ns.as_bytes());
    out.push(b'>');
}

/// What woke a read that a decoding batch could overtake.
enum Woke {
    Decoded(Result<Vec<Result<ObjectContent, DecodeError>>, tokio::task::JoinError>),
    Read(Result<bool, crate::error::CallError>),
}

/// Decodes a batch: `<returnval ...>` and its `n` whole objects, until the
/// first error.
fn decode_batch(batch: &[u8], n: usize) -> Vec<Result<ObjectContent, DecodeError>> {
    fn each(
        r: &mut XmlReader<'_>,
        out: &mut Vec<Result<ObjectContent, DecodeError>>,
    ) -> Result<(), DecodeError> {
        r.root()?;
        while let Some(start) = r.next_child()? {
            let o = r
                .value::<ObjectContent>(&start)
                .map_err(|e| e.within("objects"))?;
            out.push(Ok(o));
        }
        Ok(())
    }
    let mut out = Vec::with_capacity(n + 1);
    if let Err(e) = each(&mut XmlReader::new(batch), &mut out) {
        out.push(Err(e));
    }
    out
}

/// A batch's objects, once the blocking pool is done with it.
fn joined(
    j: Result<Vec<Result<ObjectContent, DecodeError>>, tokio::task::JoinError>,
) -> Vec<Result<ObjectContent, DecodeError>> {
    match j {
        Ok(objects) => objects,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => vec![Err(DecodeError::new(
            0,
            crate::xml::DecodeErrorKind::Unexpected(format!("the decoding was cancelled: {e}")),
        ))],
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// The `>` that ends a start tag, outside quoted attribute values: from
/// quote to quote by byte search rather than byte by byte.
fn tag_end(tail: &[u8]) -> Option<usize> {
    let mut i = 1;
    loop {
        let j = i + memchr::memchr3(b'>', b'"', b'\'', tail.get(i..)?)?;
        match tail[j] {
            b'>' => return Some(j),
            quote => i = j + 1 + memchr::memchr(quote, &tail[j + 1..])? + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CallError;
    use crate::rt::BoxFuture;

    /// A body handed on in parts of `size` bytes.
    struct Parts {
        data: Vec<u8>,
        at: usize,
        size: usize,
    }

    impl BodyStream for Parts {
        fn read_into<'a>(
            &'a mut self,
            buf: &'a mut Vec<u8>,
        ) -> BoxFuture<'a, Result<bool, CallError>> {
            Box::pin(async move {
                if self.at >= self.data.len() {
                    return Ok(false);
                }
                let end = (self.at + self.size).min(self.data.len());
                buf.extend_from_slice(&self.data[self.at..end]);
                self.at = end;
                Ok(true)
            })
        }
    }

    fn page(body: &str, size: usize) -> Page {
        Page::new(Streamed::Arriving(Box::new(Parts {
            data: body.as_bytes().to_vec(),
            at: 0,
            size,
        })))
        .unwrap()
    }

    const BODY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:x="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>
<token>tok&amp;1</token>
<objects><obj type="VirtualMachine" note="a>b" other='c">d'>vm-1</obj><propSet><name>name</name><val x:type="xsd:string">a &lt;b&gt; "c"</val></propSet></objects>
<!-- a comment with <objects> in it -->
<objects><obj type="VirtualMachine">vm-2</obj><propSet><name>config.hardware.device</name><val x:type="ArrayOfVirtualDevice"><VirtualDevice x:type="VirtualDisk"><key>2000</key><capacityInKB>1024</capacityInKB></VirtualDevice></val></propSet></objects>
<objects><obj type="VirtualMachine">vm-3</obj><propSet><name>name</name><val x:type="xsd:string"><![CDATA[a</objects>b]]></val></propSet><!-- </objects> --><propSet><name>x</name><val x:type="xsd:string">v</val><objects>in</objects></propSet></objects>
</returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>"#;

    async fn all(mut p: Page) -> Result<(Vec<ObjectContent>, Option<String>), Error> {
        let mut out = Vec::new();
        while let Some(o) = p.next().await? {
            out.push(o);
        }
        Ok((out, p.token().map(str::to_string)))
    }

    #[tokio::test]
    async fn objects_are_cut_out_whatever_the_part_size() {
        let whole = all(Page::new(Streamed::Whole(BODY.as_bytes().to_vec())).unwrap())
            .await
            .unwrap();
        assert_eq!(whole.0.len(), 3);
        assert_eq!(whole.1.as_deref(), Some("tok&1"));
        // An end tag of the object's name inside CDATA, a comment or an
        // element of the same name is not the object's end.
        assert_eq!(whole.0[2].obj.value, "vm-3");
        assert_eq!(whole.0[2].prop_set.len(), 2);
        for size in [1, 2, 3, 7, 64, 100_000] {
            let got = all(page(BODY, size)).await.unwrap();
            assert_eq!(got, whole, "parts of {size} bytes");
        }
        // The prefix of `xsi` came from the envelope, not the fragment.
        let devices: Vec<crate::types::AnyVirtualDevice> =
            crate::rt::FromAny::from_any(whole.0[1].prop_set[0].val.clone()).unwrap();
        assert_eq!(devices[0].key, 2000);
    }

    #[tokio::test]
    async fn an_end_tag_the_search_cannot_find_is_read_tag_by_tag() {
        let big = "x".repeat(QUICK_LIMIT + 1000);
        let body = format!(
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj></objects ><objects><obj type="VirtualMachine">vm-2</obj><propSet><name>n</name><val x:type="xsd:string">{big}</val></propSet></objects><objects><obj type="VirtualMachine">vm-3</obj></objects></returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>"#
        );
        let whole = all(Page::new(Streamed::Whole(body.as_bytes().to_vec())).unwrap())
            .await
            .unwrap();
        let names: Vec<&str> = whole.0.iter().map(|o| o.obj.value.as_str()).collect();
        assert_eq!(names, ["vm-1", "vm-2", "vm-3"]);
        for size in [7, 4096, 100_000] {
            let got = all(page(&body, size)).await.unwrap();
            assert_eq!(got, whole, "parts of {size} bytes");
        }
    }

    #[test]
    fn a_start_tag_ends_at_its_first_unquoted_gt() {
        assert_eq!(tag_end(b"<a>rest"), Some(2));
        assert_eq!(tag_end(br#"<a b="x>y" c='p"q>'>"#), Some(19));
        assert_eq!(tag_end(b"<a/>"), Some(3));
        assert_eq!(tag_end(br#"<a b="x>"#), None, "the quote is still open");
        assert_eq!(tag_end(b"<a b='x'"), None);
        assert_eq!(tag_end(b"<"), None);
    }

    #[tokio::test]
    async fn a_fault_with_200_surfaces_as_the_fault() {
        let body = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>no</faultstring><detail><NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"></NotAuthenticatedFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
        for size in [1, 5, 1000] {
            let err = all(page(body, size)).await.unwrap_err();
            assert!(
                matches!(
                    err.fault(),
                    Some(crate::types::AnyMethodFault::NotAuthenticated(_))
                ),
                "{err:?}"
            );
        }
    }

    /// A decode error whose path goes from the envelope to a property value.
    fn assert_in_a_value(e: &Error) {
        let Error::Decode(d) = e else { panic!("{e:?}") };
        assert!(
            d.path().starts_with(
                "/Envelope/Body/RetrievePropertiesExResponse/returnval/objects/propSet/val"
            ),
            "{}",
            d.path()
        );
    }

    #[tokio::test]
    async fn bad_bodies_are_typed_errors() {
        let cut = &BODY[..BODY.len() / 2];
        let e = all(page(cut, 10)).await.unwrap_err().to_string();
        assert!(
            e.contains(
                "the body ended inside <Envelope/Body/RetrievePropertiesExResponse/returnval>"
            ),
            "{e}"
        );
        let e = all(page("<!DOCTYPE x [<!ENTITY a 'b'>]><x/>", 4))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("DOCTYPE"), "{e}");
        let e = all(page("<html><body>502</body></html>", 4))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("<html> is not a SOAP envelope"), "{e}");
        let e = all(page("", 4)).await.unwrap_err().to_string();
        assert!(e.contains("no SOAP envelope"), "{e}");
        let e = all(page(&BODY.replace("<key>2000</key>", "<key>two</key>"), 16))
            .await
            .unwrap_err();
        assert_in_a_value(&e);
    }

    /// A page of `n` VMs of about 4 KB each; the one at `bad` has a key
    /// that is not a number.
    fn many(n: usize, bad: Option<usize>) -> String {
        let pad = "p".repeat(4000);
        let mut body = String::from(
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>"#,
        );
        for i in 0..n {
            let key = if Some(i) == bad {
                "k".to_string()
            } else {
                i.to_string()
            };
            body.push_str(&format!(
                r#"<objects><obj type="VirtualMachine">vm-{i}</obj><propSet><name>name</name><val xsi:type="xsd:string">{pad}</val></propSet><propSet><name>config.hardware.device</name><val xsi:type="ArrayOfVirtualDevice"><VirtualDevice xsi:type="VirtualDisk"><key>{key}</key><deviceInfo><label>d</label><summary>s</summary></deviceInfo><capacityInKB>1</capacityInKB></VirtualDevice></val></propSet></objects>"#
            ));
        }
        body.push_str("<token>t</token></returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>");
        body
    }

    #[tokio::test]
    async fn batches_decoded_aside_come_out_in_order() {
        // 2 MB: several batches, some decoding while the next is cut.
        let body = many(500, None);
        assert!(body.len() > 3 * BATCH_BYTES);
        let whole = all(Page::new(Streamed::Whole(body.as_bytes().to_vec())).unwrap())
            .await
            .unwrap();
        assert_eq!(whole.0.len(), 500);
        assert_eq!(whole.1.as_deref(), Some("t"));
        for size in [997, 16 * 1024, 1 << 20] {
            let got = all(page(&body, size)).await.unwrap();
            assert_eq!(got, whole, "parts of {size} bytes");
        }
    }

    #[tokio::test]
    async fn a_bad_object_in_a_batch_ends_the_page_after_the_ones_before_it() {
        let body = many(200, Some(150));
        for size in [997, 1 << 20] {
            let mut p = page(&body, size);
            let mut n = 0;
            let e = loop {
                match p.next().await {
                    Ok(Some(o)) => {
                        assert_eq!(o.obj.value, format!("vm-{n}"));
                        n += 1;
                    }
                    Ok(None) => panic!("the page ended without the error"),
                    Err(e) => break e,
                }
            };
            assert_eq!(n, 150, "parts of {size} bytes");
            assert_in_a_value(&e);
            // And the page stays ended.
            assert!(p.next().await.is_err());
        }
    }

    #[tokio::test]
    async fn an_empty_result_has_no_objects() {
        let body = r#"<Envelope><Body><RetrievePropertiesExResponse xmlns="urn:vim25"/></Body></Envelope>"#;
        let (objects, token) = all(page(body, 3)).await.unwrap();
        assert!(objects.is_empty());
        assert_eq!(token, None);
    }
}
