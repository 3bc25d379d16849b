//! Cassette scenarios: a test opens a tape by name and gets a client builder
//! that replays `cassettes/<name>.json` offline, or, with `VMOMI_RECORD=1`,
//! talks to a freshly started simulator and records the cassette anew.
//!
//! ```no_run
//! # async fn t() {
//! use vmomi_tests::tape::Tape;
//! let tape = Tape::open("connect", &Default::default()).unwrap();
//! let client = tape.client().connect().await.unwrap();
//! assert_eq!(client.release().as_str(), "6.5");
//! client.logout().await.unwrap();
//! tape.finish();
//! # }
//! ```

use crate::vcsim::{Options, PASSWORD, USER, Vcsim};
use std::path::PathBuf;
use std::sync::Arc;
use vmomi::ClientBuilder;
use vmomi::cassette::{Player, Recorder};

/// The committed cassettes: `<repo>/cassettes/`.
pub fn cassette_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../cassettes"))
}

/// Whether this run records (`VMOMI_RECORD=1`) instead of replaying.
pub fn recording() -> bool {
    matches!(
        std::env::var("VMOMI_RECORD").as_deref(),
        Ok("1") | Ok("true")
    )
}

/// One scenario's cassette, replayed or being recorded.
pub enum Tape {
    /// Answering from the committed cassette; no network.
    Replay {
        /// The cassette.
        player: Arc<Player>,
    },
    /// Talking to a simulator and writing the cassette.
    Record {
        /// The recorder, saved by [`Tape::finish`].
        recorder: Arc<Recorder>,
        /// The simulator being recorded.
        sim: Vcsim,
    },
}

impl Tape {
    /// Opens `cassettes/<name>.json` for replay, or starts a simulator with
    /// `options` to record it. `None` only when recording is asked for on a
    /// machine without the simulator (outside CI).
    pub fn open(name: &str, options: &Options) -> Option<Self> {
        Self::open_with(name, options, false)
    }

    /// Like [`open`](Self::open); `repeats` lets the replay answer a request
    /// again when it was sent more often than recorded (see
    /// [`Player::allow_repeats`]), for scenarios whose request counts depend
    /// on timing.
    pub fn open_with(name: &str, options: &Options, repeats: bool) -> Option<Self> {
        let path = cassette_dir().join(format!("{name}.json"));
        if recording() {
            let sim = Vcsim::start_or_skip(options)?;
            return Some(Tape::Record {
                recorder: Arc::new(Recorder::new(path)),
                sim,
            });
        }
        match Player::open(&path) {
            Ok(p) => Some(Tape::Replay {
                player: Arc::new(p.allow_repeats(repeats)),
            }),
            Err(e) => panic!("{e}: record it with scripts/record-cassettes"),
        }
    }

    /// A builder wired to the tape, without credentials.
    pub fn builder(&self) -> ClientBuilder {
        match self {
            Tape::Replay { player } => vmomi::Client::builder().replay(player.clone()),
            Tape::Record { recorder, sim } => vmomi::Client::builder()
                .url(&sim.url)
                .record(recorder.clone()),
        }
    }

    /// A builder wired to the tape, with the simulator's credentials.
    pub fn client(&self) -> ClientBuilder {
        self.builder().credentials(USER, PASSWORD)
    }

    /// The simulator's VM names when recording (replay knows none).
    pub fn sim(&self) -> Option<&Vcsim> {
        match self {
            Tape::Record { sim, .. } => Some(sim),
            Tape::Replay { .. } => None,
        }
    }

    /// Ends the scenario: saves a recording; for a replay, checks that every
    /// recorded exchange was used (the scenario did all it did when recorded).
    pub fn finish(self) {
        match self {
            Tape::Record { recorder, sim } => {
                recorder.save().expect("the cassette is written");
                drop(sim);
            }
            Tape::Replay { player } => {
                if player.repeats() {
                    return;
                }
                assert_eq!(
                    player.unused(),
                    0,
                    "{} of {} recorded exchanges were not replayed",
                    player.unused(),
                    player.len()
                );
            }
        }
    }
}
