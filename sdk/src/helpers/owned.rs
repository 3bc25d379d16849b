//! Server-side objects a helper makes (a property collector for a wait, an
//! event history collector, a view) follow the Rust value that owns them:
//! destroyed explicitly when the helper ends, and, when the owner is dropped
//! first (an error, a cancelled future, a panic unwinding), destroyed by a
//! call spawned on the runtime, so `Drop` never blocks.

use crate::Error;
use crate::methods;
use crate::rt::RoundTripper;
use crate::types::{
    DestroyCollectorRequestType, DestroyPropertyCollectorRequestType, DestroyViewRequestType,
    ManagedObjectReference,
};
use std::sync::Arc;

/// What kind of object, so the right `Destroy*` call is made.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    /// `PropertyCollector`: `DestroyPropertyCollector` (its filters go too).
    PropertyCollector,
    /// `EventHistoryCollector`, `TaskHistoryCollector`: `DestroyCollector`.
    HistoryCollector,
    /// `ContainerView`, `ListView`, ...: `DestroyView`.
    View,
}

/// A server-side object owned by a helper.
pub(crate) struct Owned {
    client: Arc<dyn RoundTripper>,
    obj: Option<ManagedObjectReference>,
    kind: Kind,
}

impl Owned {
    pub(crate) fn new(
        client: Arc<dyn RoundTripper>,
        obj: ManagedObjectReference,
        kind: Kind,
    ) -> Self {
        Self {
            client,
            obj: Some(obj),
            kind,
        }
    }

    /// Lets it go without a call: for an object the server already dropped
    /// (a session that ended takes its collectors with it).
    pub(crate) fn forget(mut self) {
        self.obj = None;
    }

    /// Destroys it now, reporting the server's answer.
    pub(crate) async fn destroy(mut self) -> Result<(), Error> {
        match self.obj.take() {
            Some(obj) => destroy(&*self.client, self.kind, obj).await,
            None => Ok(()),
        }
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        let Some(obj) = self.obj.take() else { return };
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(object = %obj.value, "no runtime: left for the session's end");
            return;
        };
        let (client, kind) = (self.client.clone(), self.kind);
        rt.spawn(async move {
            let value = obj.value.clone();
            if let Err(e) = destroy(&*client, kind, obj).await {
                tracing::debug!(object = %value, error = %e, "destroying an abandoned helper's object");
            }
        });
    }
}

async fn destroy(
    client: &dyn RoundTripper,
    kind: Kind,
    this: ManagedObjectReference,
) -> Result<(), Error> {
    match kind {
        Kind::PropertyCollector => {
            let req = DestroyPropertyCollectorRequestType {
                this,
                ..Default::default()
            };
            Ok(methods::destroy_property_collector(client, &req).await?)
        }
        Kind::HistoryCollector => {
            let req = DestroyCollectorRequestType {
                this,
                ..Default::default()
            };
            Ok(methods::destroy_collector(client, &req).await?)
        }
        Kind::View => {
            let req = DestroyViewRequestType {
                this,
                ..Default::default()
            };
            Ok(methods::destroy_view(client, &req).await?)
        }
    }
}
