//! Events: the recent events of an entity (and of what is below it, if
//! asked), in a time window, typed (every `Event` subtype keeps its type),
//! read through an `EventHistoryCollector` that is destroyed afterwards.
//!
//! ```no_run
//! # async fn run(vm: vmomi::mo::VirtualMachine) -> Result<(), vmomi::Error> {
//! use vmomi::event::EventQuery;
//! use vmomi::prelude::*;
//! use vmomi::types::AnyEvent;
//! for e in vm.events(EventQuery::new().max(50)).await? {
//!     if let AnyEvent::VmPoweredOffEvent(off) = &e {
//!         println!("{} powered off at {:?}", off.vm.as_ref().map_or("?", |v| v.name.as_str()), off.created_time);
//!     }
//! }
//! # Ok(()) }
//! ```

use super::owned::{Kind, Owned};
use crate::rt::RoundTripper;
use crate::types::{
    AnyEvent, CompactString, CreateCollectorForEventsRequestType, DateTime, EventFilterSpec,
    EventFilterSpecByEntity, EventFilterSpecByTime, EventFilterSpecRecursionOption,
    ManagedObjectReference, ReadNextEventsRequestType,
};
use crate::{Error, ObjectView, methods};
use std::future::Future;
use std::sync::Arc;

/// Events asked per `ReadNextEvents` call.
const PAGE: i32 = 100;

/// Which events: the entity only or with its children, a time window, and
/// how many at most (the newest are not guaranteed first: the server keeps
/// its own order, oldest first).
#[derive(Clone, Debug)]
#[must_use]
pub struct EventQuery {
    recursive: bool,
    begin: Option<DateTime>,
    end: Option<DateTime>,
    max: usize,
    types: Vec<CompactString>,
}

impl Default for EventQuery {
    fn default() -> Self {
        Self {
            recursive: false,
            begin: None,
            end: None,
            max: 1000,
            types: Vec::new(),
        }
    }
}

impl EventQuery {
    /// The entity's own events, at most 1000.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also the events of everything below the entity (a folder's VMs).
    pub fn recursive(mut self, on: bool) -> Self {
        self.recursive = on;
        self
    }

    /// Only events at or after `begin`.
    pub fn since(mut self, begin: DateTime) -> Self {
        self.begin = Some(begin);
        self
    }

    /// Only events at or before `end`.
    pub fn until(mut self, end: DateTime) -> Self {
        self.end = Some(end);
        self
    }

    /// At most `n` events.
    pub fn max(mut self, n: usize) -> Self {
        self.max = n;
        self
    }

    /// Only events of these type ids (`"VmPoweredOffEvent"`; an extended
    /// event's `eventTypeId`).
    pub fn of_types<S: Into<CompactString>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        self.types = types.into_iter().map(Into::into).collect();
        self
    }
}

/// The events of `entity` that `query` selects.
pub async fn events(
    client: Arc<dyn RoundTripper>,
    entity: &ManagedObjectReference,
    query: &EventQuery,
) -> Result<Vec<AnyEvent>, Error> {
    // A handle without ServiceContent is the caller's set-up; a session
    // whose ServiceContent lacks the manager is the server's.
    let manager = super::service_content(&*client, || format!("events of {}", entity.value))?
        .event_manager
        .clone()
        .ok_or_else(|| Error::ServerData {
            what: format!(
                "EventManager (ServiceContent.eventManager) for the events of {}",
                entity.value
            ),
        })?;
    let time = (query.begin.is_some() || query.end.is_some()).then(|| EventFilterSpecByTime {
        begin_time: query.begin,
        end_time: query.end,
        ..Default::default()
    });
    let filter = EventFilterSpec {
        entity: Some(EventFilterSpecByEntity {
            entity: entity.clone(),
            recursion: if query.recursive {
                EventFilterSpecRecursionOption::All
            } else {
                EventFilterSpecRecursionOption::Self_
            },
            ..Default::default()
        }),
        time,
        // `eventTypeId` rather than the deprecated `type`: it also names
        // extended events, and is what servers filter on.
        event_type_id: query.types.clone(),
        ..Default::default()
    };
    let collector = methods::create_collector_for_events(
        &*client,
        &CreateCollectorForEventsRequestType {
            this: manager,
            filter,
            ..Default::default()
        },
    )
    .await?;
    let owned = Owned::new(client.clone(), collector.clone(), Kind::HistoryCollector);
    let read = read_all(&*client, &collector, query.max).await;
    let destroyed = owned.destroy().await;
    let events = read?;
    destroyed?;
    Ok(events)
}

async fn read_all(
    client: &dyn RoundTripper,
    collector: &ManagedObjectReference,
    max: usize,
) -> Result<Vec<AnyEvent>, Error> {
    let mut out = Vec::new();
    while out.len() < max {
        let want = (max - out.len()).min(PAGE as usize) as i32;
        let page = methods::read_next_events(
            client,
            &ReadNextEventsRequestType {
                this: collector.clone(),
                max_count: want,
                ..Default::default()
            },
        )
        .await?;
        if page.is_empty() {
            break;
        }
        out.extend(page);
    }
    Ok(out)
}

/// Events on every entity's view (`mo::VirtualMachine`, `mo::HostSystem`,
/// `mo::Folder`, ...).
pub trait EventsExt: ObjectView {
    /// The events of this entity that `query` selects.
    fn events(
        &self,
        query: EventQuery,
    ) -> impl Future<Output = Result<Vec<AnyEvent>, Error>> + Send + '_
    where
        Self: Sync,
    {
        async move { events(self.client_arc().clone(), self.reference(), &query).await }
    }
}

impl<V: ObjectView> EventsExt for V {}
