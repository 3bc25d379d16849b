//! Release negotiation in pyVmomi's SmartConnect order, and the
//! ServiceContent read with it.

use super::release::{self, Release};
use crate::Error;
use crate::methods;
use crate::transport::Transport;
use crate::types::{ManagedObjectReference, RetrieveServiceContentRequestType, ServiceContent};

/// How the release was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NegotiationSource {
    /// From `/sdk/vimServiceVersions.xml`.
    ServiceVersions,
    /// From `about.apiVersion`, the server publishing no versions document
    /// (its `vimService.wsdl` confirmed a vim25 endpoint when `wsdl` is set).
    About {
        /// Whether `/sdk/vimService.wsdl` was found.
        wsdl: bool,
    },
}

/// The outcome of release negotiation.
#[derive(Clone, Debug)]
pub struct Negotiation {
    /// The release every request carries (`SOAPAction: "urn:vim25/<release>"`).
    pub release: Release,
    /// Where it came from.
    pub source: NegotiationSource,
    /// The releases the server offered (empty when it published none).
    pub offered: Vec<Release>,
}

/// The quoted `SOAPAction` value of a release.
pub(super) fn soap_action(release: &Release) -> reqwest::header::HeaderValue {
    reqwest::header::HeaderValue::from_str(&format!("\"{}\"", release.soap_action()))
        .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static("\"urn:vim25\""))
}

fn negotiation_error(e: release::VersionError) -> Error {
    Error::Negotiation(e.to_string())
}

async fn retrieve_service_content(t: &Transport) -> Result<ServiceContent, Error> {
    methods::retrieve_service_content(
        t,
        &RetrieveServiceContentRequestType {
            this: service_instance(),
            ..Default::default()
        },
    )
    .await
    .map_err(Error::from)
}

pub(super) fn service_instance() -> ManagedObjectReference {
    ManagedObjectReference::new("ServiceInstance", "ServiceInstance")
}

/// pyVmomi's SmartConnect order: the versions document, then the WSDL, then
/// `about.apiVersion` read with the unversioned namespace.
pub(super) async fn negotiate(
    t: &Transport,
    pin: Option<&Release>,
) -> Result<(Negotiation, ServiceContent), Error> {
    let newest = Release::newest_known();
    let doc = t.get("vimServiceVersions.xml").await?;
    if doc.status == 200 {
        match release::parse_service_versions(&doc.body) {
            Ok(sv) => {
                let release = release::choose(&sv, &newest, pin).map_err(negotiation_error)?;
                t.set_soap_action(soap_action(&release));
                let sc = retrieve_service_content(t).await?;
                let offered = sv.all().cloned().collect();
                return Ok((
                    Negotiation {
                        release,
                        source: NegotiationSource::ServiceVersions,
                        offered,
                    },
                    sc,
                ));
            }
            Err(e) => tracing::warn!(error = %e, "unusable vimServiceVersions.xml"),
        }
    } else {
        tracing::debug!(status = doc.status, "no vimServiceVersions.xml");
    }
    let wsdl = match t.get("vimService.wsdl").await {
        Ok(r) => r.status == 200 && release::is_vim_service_wsdl(&r.body),
        Err(_) => false,
    };
    let sc = retrieve_service_content(t).await?;
    let release = release::choose_from_about(&sc.about.api_version, &newest, pin)
        .map_err(negotiation_error)?;
    t.set_soap_action(soap_action(&release));
    Ok((
        Negotiation {
            offered: vec![release.clone()],
            release,
            source: NegotiationSource::About { wsdl },
        },
        sc,
    ))
}
