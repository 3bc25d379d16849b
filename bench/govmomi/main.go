// The inventory workload of tests/benches/inventory.rs with govmomi (Debian's
// golang-github-vmware-govmomi-dev, 0.24): log in, then name,
// runtime.powerState and config.hardware.device of every VM through a
// ContainerView and the PropertyCollector, decoded into mo.VirtualMachine.
//
// It reads VSPHERE_URL, VSPHERE_CA_FILE, VSPHERE_USER and VSPHERE_PASSWORD
// and prints one line, as the bench's own child does:
//
//	vms devices wall_s cpu_s peak_kb login_s
//
// wall from before the login to the last object; CPU user + system of the
// process (every thread) over the same span; peak RSS of the process (VmHWM).
//
// govmomi 0.24's ContainerView.Retrieve calls the legacy RetrieveProperties,
// which does not page; this program calls RetrievePropertiesEx and
// ContinueRetrievePropertiesEx, as later govmomi releases do inside
// Retrieve, and decodes each page with mo.LoadObjectContent as Retrieve does.
//
// Built by bench/setup: GOPATH=/usr/share/gocode GO111MODULE=off go build.
package main

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func env(name string) string {
	v := os.Getenv(name)
	if v == "" {
		fail(fmt.Errorf("%s is not set", name))
	}
	return v
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "govmomi-inventory:", err)
	os.Exit(1)
}

// cpuSeconds is this process's user + system time so far, every thread.
func cpuSeconds() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		fail(err)
	}
	t := func(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }
	return t(u.Utime) + t(u.Stime)
}

// peakKB is the process's peak resident set (VmHWM), in KiB.
func peakKB() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		fail(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest := strings.TrimPrefix(s.Text(), "VmHWM:"); rest != s.Text() {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				fail(err)
			}
			return n
		}
	}
	fail(fmt.Errorf("no VmHWM in /proc/self/status"))
	return 0
}

func main() {
	ctx := context.Background()
	u, err := soap.ParseURL(env("VSPHERE_URL"))
	if err != nil {
		fail(err)
	}
	user := url.UserPassword(env("VSPHERE_USER"), env("VSPHERE_PASSWORD"))
	ca := env("VSPHERE_CA_FILE")

	cpu0, t0 := cpuSeconds(), time.Now()
	sc := soap.NewClient(u, false)
	if err := sc.SetRootCAs(ca); err != nil {
		fail(err)
	}
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		fail(err)
	}
	sm := session.NewManager(c)
	if err := sm.Login(ctx, user); err != nil {
		fail(err)
	}
	login := time.Since(t0).Seconds()

	v, err := view.NewManager(c).CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		fail(err)
	}
	req := types.RetrievePropertiesEx{
		This: c.ServiceContent.PropertyCollector,
		SpecSet: []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{
				Obj:  v.Reference(),
				Skip: types.NewBool(true),
				SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{
					Type: "ContainerView",
					Path: "view",
				}},
			}},
			PropSet: []types.PropertySpec{{
				Type:    "VirtualMachine",
				PathSet: []string{"name", "runtime.powerState", "config.hardware.device"},
			}},
		}},
		Options: types.RetrieveOptions{MaxObjects: 1000},
	}
	var vms, devices int
	count := func(objects []types.ObjectContent) {
		var page []mo.VirtualMachine
		if err := mo.LoadObjectContent(objects, &page); err != nil {
			fail(err)
		}
		for _, vm := range page {
			if vm.Name == "" || vm.Runtime.PowerState == types.VirtualMachinePowerStateSuspended {
				fail(fmt.Errorf("unexpected VM %+v", vm.Self))
			}
			vms++
			if vm.Config != nil {
				devices += len(vm.Config.Hardware.Device)
			}
		}
	}
	res, err := methods.RetrievePropertiesEx(ctx, c, &req)
	if err != nil {
		fail(err)
	}
	if r := res.Returnval; r != nil {
		count(r.Objects)
		for token := r.Token; token != ""; {
			next, err := methods.ContinueRetrievePropertiesEx(ctx, c, &types.ContinueRetrievePropertiesEx{
				This:  c.ServiceContent.PropertyCollector,
				Token: token,
			})
			if err != nil {
				fail(err)
			}
			count(next.Returnval.Objects)
			token = next.Returnval.Token
		}
	}
	if err := v.Destroy(ctx); err != nil {
		fail(err)
	}
	wall, cpu := time.Since(t0).Seconds(), cpuSeconds()-cpu0
	fmt.Printf("%d %d %f %f %d %f\n", vms, devices, wall, cpu, peakKB(), login)
	if err := sm.Logout(ctx); err != nil {
		fail(err)
	}
}
