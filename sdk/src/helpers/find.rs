//! The finder: objects by inventory path (`/DC0/vm/build/agent-01`), with
//! glob patterns in any part (`/DC0/host/*/*`), the way govc names them.
//!
//! The inventory is walked from the root folder one level per path part:
//! a folder's children are its `childEntity`, a datacenter's are its `vm`,
//! `host`, `datastore` and `network` folders, a compute resource's its hosts
//! and its `Resources` pool, a resource pool's (or vApp's) its pools and
//! VMs. Each level costs one `RetrievePropertiesEx` for the children and one
//! for their names, whatever the number of objects. A path that matches
//! nothing fails with [`Error::NotFound`], naming the deepest part that
//! exists. The SearchIndex lookups (a VM or host by UUID, IP address or
//! DNS name) are one call each.
//!
//! ```no_run
//! # async fn run(client: vmomi::Client) -> Result<(), vmomi::Error> {
//! use vmomi::find::Finder;
//! let finder = Finder::new(&client);
//! let vm = finder.by_path("/DC0/vm/DC0_H0_VM0").await?;
//! for host in finder.find("/DC0/host/*/*").await? {
//!     println!("{} {}", host.path, host.obj.value);
//! }
//! # Ok(()) }
//! ```

use super::property::{Objects, retrieve_pages};
use crate::rt::PropertyPath;
use crate::types::{
    CompactString, ManagedObjectReference, ObjectContent, ObjectSpec, PropertyFilterSpec,
    PropertySpec,
};
use crate::{Client, Error};
use std::collections::BTreeMap;

/// One object found, with its inventory path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// `/DC0/vm/DC0_H0_VM0`.
    pub path: String,
    /// The object.
    pub obj: ManagedObjectReference,
}

/// Finds inventory objects by path; cheap to make, holds a client clone.
#[derive(Clone, Debug)]
pub struct Finder {
    client: Client,
}

/// The properties that hold an object's inventory children, by type, and
/// whether each is an array.
fn child_props(type_name: &str) -> &'static [(&'static str, bool)] {
    match type_name {
        "Folder" => &[("childEntity", true)],
        "Datacenter" => &[
            ("vmFolder", false),
            ("hostFolder", false),
            ("datastoreFolder", false),
            ("networkFolder", false),
        ],
        "ComputeResource" | "ClusterComputeResource" => &[("host", true), ("resourcePool", false)],
        "ResourcePool" | "VirtualApp" => &[("resourcePool", true), ("vm", true)],
        _ => &[],
    }
}

fn child_paths(type_name: &str) -> Vec<&'static str> {
    child_props(type_name).iter().map(|(p, _)| *p).collect()
}

impl Finder {
    /// A finder on `client`'s session.
    pub fn new(client: &Client) -> Self {
        Self {
            client: client.clone(),
        }
    }

    /// Exactly the object at `path` (an absolute inventory path; glob
    /// characters are taken literally only if the name has them).
    pub async fn by_path(&self, path: &str) -> Result<Found, Error> {
        let mut found = self.find(path).await?;
        if found.len() > 1 {
            return Err(Error::Config(format!(
                "inventory path {path:?} matches {} objects, not one: {}",
                found.len(),
                found
                    .iter()
                    .map(|f| f.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(found.remove(0))
    }

    /// Every object whose inventory path matches `pattern`, each part of
    /// which may hold `*`, `?` and `[...]` (glob syntax), in inventory order.
    pub async fn find(&self, pattern: &str) -> Result<Vec<Found>, Error> {
        if !pattern.starts_with('/') {
            return Err(Error::Config(format!(
                "inventory path {pattern:?} is not absolute: start it with /, as in /DC0/vm"
            )));
        }
        let root = self.client.service_content().root_folder.clone();
        let mut level = vec![Found {
            path: String::new(),
            obj: root,
        }];
        for part in pattern.split('/').filter(|p| !p.is_empty()) {
            let glob = glob::Pattern::new(part).map_err(|e| {
                Error::Config(format!(
                    "inventory path {pattern:?}: part {part:?} is not a valid pattern: {e}"
                ))
            })?;
            let children = self.children(&level).await?;
            let next: Vec<Found> = children
                .into_iter()
                .filter(|c| glob.matches(c.path.rsplit('/').next().unwrap_or("")))
                .collect();
            if next.is_empty() {
                let deepest = level.first().map_or(String::new(), |f| f.path.clone());
                return Err(Error::NotFound {
                    path: pattern.to_string(),
                    deepest: if deepest.is_empty() {
                        "/".into()
                    } else {
                        deepest
                    },
                    missing: part.to_string(),
                });
            }
            level = next;
        }
        Ok(level)
    }

    /// The virtual machine with this BIOS UUID (`instance: true`: vCenter's
    /// instance UUID), through the SearchIndex; `None` when there is none.
    pub async fn vm_by_uuid(
        &self,
        uuid: &str,
        instance: bool,
    ) -> Result<Option<ManagedObjectReference>, Error> {
        self.search_index()?
            .find_by_uuid(None, uuid.to_string(), true, Some(instance))
            .await
            .map_err(Error::from)
    }

    /// The host with this hardware UUID, through the SearchIndex.
    pub async fn host_by_uuid(&self, uuid: &str) -> Result<Option<ManagedObjectReference>, Error> {
        self.search_index()?
            .find_by_uuid(None, uuid.to_string(), false, None)
            .await
            .map_err(Error::from)
    }

    /// The virtual machine (`vm: true`, as VMware Tools reports it) or host
    /// with this IP address, through the SearchIndex.
    pub async fn by_ip(&self, ip: &str, vm: bool) -> Result<Option<ManagedObjectReference>, Error> {
        self.search_index()?
            .find_by_ip(None, ip.to_string(), vm)
            .await
            .map_err(Error::from)
    }

    /// The virtual machine (`vm: true`) or host with this DNS name, through
    /// the SearchIndex.
    pub async fn by_dns_name(
        &self,
        name: &str,
        vm: bool,
    ) -> Result<Option<ManagedObjectReference>, Error> {
        self.search_index()?
            .find_by_dns_name(None, name.to_string(), vm)
            .await
            .map_err(Error::from)
    }

    fn search_index(&self) -> Result<crate::mo::SearchIndex, Error> {
        let r = self
            .client
            .service_content()
            .search_index
            .clone()
            .ok_or_else(|| Error::ServerData {
                what: "SearchIndex (ServiceContent.searchIndex)".into(),
            })?;
        Ok(crate::mo::SearchIndex::new(self.client.shared(), r))
    }

    /// The inventory children of every object of `level`, named.
    async fn children(&self, level: &[Found]) -> Result<Vec<Found>, Error> {
        let parents: Vec<&ManagedObjectReference> = level.iter().map(|f| &f.obj).collect();
        let mut by_type: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for p in &parents {
            by_type
                .entry(p.r#type.as_str())
                .or_insert_with(|| child_paths(&p.r#type));
        }
        let contents = self.retrieve(&parents, &by_type).await?;
        let mut kids: Vec<(String, ManagedObjectReference)> = Vec::new();
        // Keep the order of `level`, then of the child properties.
        let mut by_obj: BTreeMap<CompactString, ObjectContent> = contents
            .into_iter()
            .map(|c| (c.obj.value.clone(), c))
            .collect();
        for parent in level {
            let Some(mut oc) = by_obj.remove(&parent.obj.value) else {
                continue;
            };
            for &(path, array) in child_props(&parent.obj.r#type) {
                let refs = if array {
                    oc.take(PropertyPath::<Vec<ManagedObjectReference>>::new(path))?
                        .unwrap_or_default()
                } else {
                    oc.take(PropertyPath::<ManagedObjectReference>::new(path))?
                        .into_iter()
                        .collect()
                };
                kids.extend(refs.into_iter().map(|r| (parent.path.clone(), r)));
            }
        }
        if kids.is_empty() {
            return Ok(Vec::new());
        }
        let objs: Vec<&ManagedObjectReference> = kids.iter().map(|(_, r)| r).collect();
        let mut names_by_type: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for o in &objs {
            names_by_type
                .entry(o.r#type.as_str())
                .or_insert_with(|| vec!["name"]);
        }
        let names: BTreeMap<CompactString, CompactString> = self
            .retrieve(&objs, &names_by_type)
            .await?
            .into_iter()
            .filter_map(|mut oc| {
                let name = oc
                    .take(PropertyPath::<CompactString>::new("name"))
                    .ok()
                    .flatten()?;
                Some((oc.obj.value, name))
            })
            .collect();
        Ok(kids
            .into_iter()
            .filter_map(|(parent, obj)| {
                let name = names.get(&obj.value)?;
                Some(Found {
                    path: format!("{parent}/{name}"),
                    obj,
                })
            })
            .collect())
    }

    /// `paths` (by type) of `objs`, all pages.
    async fn retrieve(
        &self,
        objs: &[&ManagedObjectReference],
        paths: &BTreeMap<&str, Vec<&str>>,
    ) -> Result<Vec<ObjectContent>, Error> {
        let spec = PropertyFilterSpec {
            prop_set: paths
                .iter()
                .filter(|(_, p)| !p.is_empty())
                .map(|(t, p)| PropertySpec {
                    r#type: (*t).into(),
                    all: Some(false),
                    path_set: p.iter().map(|&s| s.into()).collect(),
                    ..Default::default()
                })
                .collect(),
            object_set: objs
                .iter()
                .filter(|o| paths.get(o.r#type.as_str()).is_some_and(|p| !p.is_empty()))
                .map(|o| ObjectSpec {
                    obj: (*o).clone(),
                    skip: Some(false),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        if spec.object_set.is_empty() {
            return Ok(Vec::new());
        }
        retrieve_pages(&self.client, spec, None).await
    }
}
