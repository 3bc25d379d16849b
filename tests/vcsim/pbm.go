// The storage policy service (-pbm): govmomi's PBM simulator served at
// /pbm/sdk, where vCenter serves it (govmomi's own registration uses /pbm),
// with the method it lacks, PbmCheckCompatibility, and a datastore for a
// policy to tell apart from LocalDS_0.
//
//   - Registration: pbmRegistry is handed to Service.RegisterSDK before
//     NewServer. Service.RegisterEndpoints stays false, so the endpoint that
//     the pbm/simulator package's init registers (at /pbm) never runs and no
//     path is registered twice.
//   - Sessions: the PBM endpoint shares the vim25 session manager; a client
//     logs in on /sdk and presents its vmware_soap_session cookie. Without it
//     every method but PbmRetrieveServiceContent fails with NotAuthenticated.
//   - Datastores: besides LocalDS_0 (type OTHER, on every host) there is
//     vsanDatastore, of type "vsan", on the hosts of the first cluster.
//   - The compatibility rule of PbmCheckCompatibility: a profile with a
//     capability in the "VSAN" namespace (the built-in "vSAN Default Storage
//     Policy", or one made with PbmCreate) is compatible only with datastores
//     whose summary.type is "vsan"; every other profile (VVol No
//     Requirements, VM Encryption, Host-local PMem, ...) is compatible with
//     every datastore. So with the vSAN policy LocalDS_0 is incompatible and
//     vsanDatastore compatible.
package main

import (
	"context"
	"fmt"
	"io/ioutil"
	"net/url"
	"sort"
	"strings"

	"github.com/vmware/govmomi/pbm"
	"github.com/vmware/govmomi/pbm/methods"
	pbmsim "github.com/vmware/govmomi/pbm/simulator"
	"github.com/vmware/govmomi/pbm/types"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	vim "github.com/vmware/govmomi/vim25/types"
)

// pbmPath is where vCenter serves the storage policy API.
const pbmPath = "/pbm/sdk"

// vsanNamespace is the capability namespace of vSAN policies.
const vsanNamespace = "VSAN"

// placementSolver is govmomi's PlacementSolver with PbmCheckCompatibility.
// The managed-object struct comes first, by value, as the simulator needs.
type placementSolver struct {
	pbmsim.PlacementSolver
	profiles *pbmsim.ProfileManager
}

// PbmCheckCompatibility answers one result per hub: hubsToSearch, or when it
// is empty every datastore of the inventory (by name). An incompatible hub's
// result carries an error (a PbmFault), a compatible one none. An unknown
// profile gives InvalidArgument (profileId), as PbmRetrieveContent does; a
// hub that is not a datastore of the inventory gives InvalidArgument
// (hubsToSearch).
func (s *placementSolver) PbmCheckCompatibility(req *types.PbmCheckCompatibility) soap.HasFault {
	body := new(methods.PbmCheckCompatibilityBody)
	found := s.profiles.PbmRetrieveContent(&types.PbmRetrieveContent{
		This:       s.profiles.Reference(),
		ProfileIds: []types.PbmProfileId{req.Profile},
	}).(*methods.PbmRetrieveContentBody)
	if found.Fault_ != nil {
		body.Fault_ = found.Fault_
		return body
	}
	profile := found.Res.Returnval[0].GetPbmProfile()
	vsanOnly := hasNamespace(found.Res.Returnval[0], vsanNamespace)

	var stores []*simulator.Datastore
	if len(req.HubsToSearch) == 0 {
		for _, e := range simulator.Map.All("Datastore") {
			stores = append(stores, e.(*simulator.Datastore))
		}
		sort.Slice(stores, func(i, j int) bool { return stores[i].Name < stores[j].Name })
	}
	for _, hub := range req.HubsToSearch {
		ref := vim.ManagedObjectReference{Type: hub.HubType, Value: hub.HubId}
		ds, ok := simulator.Map.Get(ref).(*simulator.Datastore)
		if !ok {
			body.Fault_ = simulator.Fault(fmt.Sprintf("no datastore %s", hub.HubId), &vim.InvalidArgument{InvalidProperty: "hubsToSearch"})
			return body
		}
		stores = append(stores, ds)
	}

	res := new(types.PbmCheckCompatibilityResponse)
	for _, ds := range stores {
		var name, kind string
		simulator.Map.WithLock(ds, func() {
			name, kind = ds.Name, ds.Summary.Type
		})
		r := types.PbmPlacementCompatibilityResult{
			Hub: types.PbmPlacementHub{HubType: ds.Self.Type, HubId: ds.Self.Value},
		}
		if vsanOnly && kind != "vsan" {
			r.Error = []vim.LocalizedMethodFault{{
				Fault: new(types.PbmFault),
				LocalizedMessage: fmt.Sprintf("Datastore %s of type %s is not compatible with storage policy %s, which needs a vsan datastore",
					name, kind, profile.Name),
			}}
		}
		res.Returnval = append(res.Returnval, r)
	}
	body.Res = res
	return body
}

// hasNamespace tells whether a capability profile has a capability in ns.
func hasNamespace(p types.BasePbmProfile, ns string) bool {
	cp, ok := p.(*types.PbmCapabilityProfile)
	if !ok {
		return false
	}
	sub, ok := cp.Constraints.(*types.PbmCapabilitySubProfileConstraints)
	if !ok {
		return false
	}
	for _, sp := range sub.SubProfiles {
		for _, c := range sp.Capability {
			if strings.EqualFold(c.Id.Namespace, ns) {
				return true
			}
		}
	}
	return false
}

// pbmRegistry is govmomi's PBM registry at pbmPath, its PlacementSolver
// replaced by one with PbmCheckCompatibility.
func pbmRegistry() *simulator.Registry {
	r := pbmsim.New()
	r.Path = pbmPath
	content := r.Get(pbm.ServiceInstance).(*pbmsim.ServiceInstance).Content
	ps := r.Get(content.PlacementSolver).(*pbmsim.PlacementSolver)
	r.Put(&placementSolver{
		PlacementSolver: *ps,
		profiles:        r.Get(content.ProfileManager).(*pbmsim.ProfileManager),
	})
	return r
}

// setupPBM makes vsanDatastore, of type vsan, on the first cluster's hosts,
// backed by a new temporary directory, which it returns for removal.
func setupPBM(sdk *url.URL, user, pass string) (string, error) {
	ctx := context.Background()
	c, finder, _, err := operator(ctx, sdk, user, pass)
	if err != nil {
		return "", err
	}
	defer c.Logout(ctx)
	clusters, err := finder.ClusterComputeResourceList(ctx, "*")
	if err != nil {
		return "", fmt.Errorf("-pbm needs a cluster for vsanDatastore: %w", err)
	}
	hosts, err := clusters[0].Hosts(ctx)
	if err != nil {
		return "", err
	}
	if len(hosts) == 0 {
		return "", fmt.Errorf("-pbm needs a host in cluster %s", clusters[0].Name())
	}
	dir, err := ioutil.TempDir("", "vmomi-vcsim-vsanDatastore-")
	if err != nil {
		return "", err
	}
	var ref vim.ManagedObjectReference
	for _, h := range hosts {
		dss, err := h.ConfigManager().DatastoreSystem(ctx)
		if err != nil {
			return dir, err
		}
		ds, err := dss.CreateLocalDatastore(ctx, "vsanDatastore", dir)
		if err != nil {
			return dir, fmt.Errorf("making vsanDatastore: %w", err)
		}
		ref = ds.Reference()
	}
	ds := simulator.Map.Get(ref).(*simulator.Datastore)
	simulator.Map.WithLock(ds, func() {
		simulator.Map.Update(ds, []vim.PropertyChange{{Name: "summary.type", Val: "vsan"}})
	})
	var m mo.Datastore
	if err := c.RetrieveOne(ctx, ref, []string{"summary.type"}, &m); err != nil {
		return dir, err
	}
	if m.Summary.Type != "vsan" {
		return dir, fmt.Errorf("vsanDatastore has type %q", m.Summary.Type)
	}
	return dir, nil
}
