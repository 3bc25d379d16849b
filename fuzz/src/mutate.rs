//! A small deterministic mutator for the smoke test and the stable driver:
//! AFL-style havoc (bit flips, interesting bytes, deletions, duplications,
//! dictionary tokens, splices) from a seeded generator, so a failing case is
//! reproduced by its seed alone.

/// splitmix64: tiny, fast, good enough to pick mutations.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`0` when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// Bytes that often change what a parser does.
const INTERESTING: &[u8] = b"<>/=\"'&;:!?[]{}-#*|\n\r\t \0\x7f\x80\xc3\xff0019";

/// The largest mutated input made (the smoke test stays quick in debug).
pub const MAX_LEN: usize = 256 * 1024;

/// The tokens of the AFL++ dictionary file `text` (`name="token"` or
/// `"token"` lines, with `\xNN`, `\\` and `\"` escapes).
pub fn parse_dict(text: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(start) = line.find('"') else {
            continue;
        };
        let Some(body) = line[start + 1..].strip_suffix('"') else {
            continue;
        };
        let mut token = Vec::new();
        let mut bytes = body.bytes();
        while let Some(b) = bytes.next() {
            if b != b'\\' {
                token.push(b);
                continue;
            }
            match bytes.next() {
                Some(b'x') => {
                    let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                    if let Ok(v) = u8::from_str_radix(std::str::from_utf8(&hex).unwrap_or("zz"), 16)
                    {
                        token.push(v);
                    }
                }
                Some(other) => token.push(other),
                None => {}
            }
        }
        if !token.is_empty() {
            out.push(token);
        }
    }
    out
}

/// One mutated input: `base` changed by one to eight stacked havoc steps,
/// some of which take tokens of `dict` or a piece of `other` (another corpus
/// file). At most [`MAX_LEN`] bytes.
pub fn mutate(rng: &mut Rng, base: &[u8], other: &[u8], dict: &[Vec<u8>]) -> Vec<u8> {
    let mut v = base.to_vec();
    let steps = 1 + rng.below(8);
    for _ in 0..steps {
        let len = v.len();
        match rng.below(12) {
            // flip a bit
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            // an interesting byte
            1 if len > 0 => {
                let i = rng.below(len);
                v[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            // a random byte
            2 if len > 0 => {
                let i = rng.below(len);
                v[i] = rng.next_u64() as u8;
            }
            // delete a range
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                v.drain(i..i + n);
            }
            // duplicate a range in place
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(128));
                let piece = v[i..i + n].to_vec();
                v.splice(i..i, piece);
            }
            // insert a dictionary token
            5 | 6 if !dict.is_empty() => {
                let t = &dict[rng.below(dict.len())];
                let i = rng.below(len + 1);
                v.splice(i..i, t.iter().copied());
            }
            // overwrite with a dictionary token
            7 if !dict.is_empty() && len > 0 => {
                let t = &dict[rng.below(dict.len())];
                let i = rng.below(len);
                let end = (i + t.len()).min(len);
                v.splice(i..end, t.iter().copied());
            }
            // splice in a piece of another input
            8 if !other.is_empty() => {
                let a = rng.below(other.len());
                let n = 1 + rng.below((other.len() - a).min(512));
                let i = rng.below(len + 1);
                v.splice(i..i, other[a..a + n].iter().copied());
            }
            // truncate
            9 if len > 0 => v.truncate(rng.below(len)),
            // repeat a short range many times (nesting, long runs)
            10 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                let times = 1 + rng.below(512);
                let piece = v[i..i + n].repeat(times);
                v.splice(i..i, piece);
            }
            // a random ASCII byte inserted
            _ => {
                let i = rng.below(len + 1);
                v.insert(i, 0x20 + rng.below(0x5f) as u8);
            }
        }
        v.truncate(MAX_LEN);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_bounded() {
        let dict = parse_dict("a=\"<x>\"\n\"\\x41\\\"\"\n# c\n");
        assert_eq!(dict, [b"<x>".to_vec(), b"A\"".to_vec()]);
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..200)
                .map(|_| mutate(&mut rng, b"<a><b>text</b></a>", b"<c/>", &dict))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        assert!(run(9).iter().all(|m| m.len() <= MAX_LEN));
    }
}
