// The vmci fixture (-ci): what a vCenter that serves CI build VMs has and the
// 0.24 simulator lacks.
//
//   - Templates debian-12-ci and ubuntu-24.04-ci (clones of the first
//     cluster's first VM, marked as templates) in the datacenter's VM
//     folder, and a folder "ci" beside them.
//   - That folder refuses a second VM of a name it already holds with
//     DuplicateName, as vCenter does (the simulator's folders accept any
//     number of VMs of one name), so concurrent clones of one name make one VM.
//   - A guest agent: a VM that powers on reports an IP address shortly after,
//     the way VMware Tools does, and loses it when powered off (cloned VMs in
//     the simulator otherwise never get one).
package main

import (
	"context"
	"fmt"
	"net/url"
	"sync"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// uniqueFolder is a VM folder that refuses duplicate names.
// The simulator's property collector needs the managed-object struct
// embedded by value as the first field.
type uniqueFolder struct {
	simulator.Folder
	mu *sync.Mutex
}

func (f *uniqueFolder) CreateVMTask(ctx *simulator.Context, c *types.CreateVM_Task) soap.HasFault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if obj := simulator.Map.FindByName(c.Config.Name, f.ChildEntity); obj != nil {
		task := simulator.CreateTask(f.Self, "createVm", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
			return nil, &types.DuplicateName{Name: c.Config.Name, Object: obj.Reference()}
		})
		return &methods.CreateVM_TaskBody{Res: &types.CreateVM_TaskResponse{Returnval: task.Run()}}
	}
	return f.Folder.CreateVMTask(ctx, c)
}

// guestAgent hands out an IP address to each VM that powers on.
type guestAgent struct {
	mu   sync.Mutex
	next int
}

func (a *guestAgent) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "VmomiGuestAgent", Value: "guest-agent"}
}

func (a *guestAgent) PutObject(mo.Reference)                    {}
func (a *guestAgent) RemoveObject(types.ManagedObjectReference) {}

func (a *guestAgent) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	// Handlers see the managed-object struct; the registry holds the
	// simulator's object around it.
	m, ok := obj.(*mo.VirtualMachine)
	if !ok {
		return
	}
	vm := simulator.Map.Get(m.Self)
	if vm == nil {
		return
	}
	for _, c := range changes {
		if c.Name != "runtime.powerState" {
			continue
		}
		ip := ""
		if c.Val == types.VirtualMachinePowerStatePoweredOn {
			a.mu.Lock()
			a.next++
			n := a.next
			a.mu.Unlock()
			ip = fmt.Sprintf("10.0.%d.%d", n/250, n%250+1)
		}
		// Called inside the power operation's update: report once it is done,
		// under the VM's lock, as Tools reports after the guest has booted.
		go simulator.Map.WithLock(vm, func() {
			simulator.Map.Update(vm, []types.PropertyChange{
				{Name: "guest.ipAddress", Val: ip},
				{Name: "summary.guest.ipAddress", Val: ip},
			})
		})
	}
}

// operator logs in to the simulator's own API, as an operator would, with a
// finder set to the default datacenter. The caller logs out.
func operator(ctx context.Context, sdk *url.URL, user, pass string) (*govmomi.Client, *find.Finder, *object.Datacenter, error) {
	u := *sdk
	u.User = url.UserPassword(user, pass)
	c, err := govmomi.NewClient(ctx, &u, true)
	if err != nil {
		return nil, nil, nil, err
	}
	finder := find.NewFinder(c.Client, false)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		_ = c.Logout(ctx)
		return nil, nil, nil, err
	}
	finder.SetDatacenter(dc)
	return c, finder, dc, nil
}

// setupCI makes the fixture through the simulator's own API, as an operator would.
func setupCI(sdk *url.URL, user, pass string) error {
	ctx := context.Background()
	c, finder, dc, err := operator(ctx, sdk, user, pass)
	if err != nil {
		return err
	}
	defer c.Logout(ctx)
	folders, err := dc.Folders(ctx)
	if err != nil {
		return err
	}
	// The simulator clones onto the source's host whatever the spec says,
	// so the templates come from a VM of the first cluster: their clones
	// then reach the cluster's datastores (vsanDatastore with -pbm) too.
	vms, err := finder.VirtualMachineList(ctx, "DC0_C0_*")
	if err != nil {
		if vms, err = finder.VirtualMachineList(ctx, "*"); err != nil {
			return err
		}
	}
	for _, name := range []string{"debian-12-ci", "ubuntu-24.04-ci"} {
		task, err := vms[0].Clone(ctx, folders.VmFolder, name, types.VirtualMachineCloneSpec{Template: true})
		if err != nil {
			return err
		}
		if err := task.Wait(ctx); err != nil {
			return fmt.Errorf("making template %s: %w", name, err)
		}
	}
	ci, err := folders.VmFolder.CreateFolder(ctx, "ci")
	if err != nil {
		return err
	}
	f := simulator.Map.Get(ci.Reference()).(*simulator.Folder)
	simulator.Map.Put(&uniqueFolder{Folder: *f, mu: new(sync.Mutex)})
	simulator.Map.AddHandler(&guestAgent{})
	return nil
}
