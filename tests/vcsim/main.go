// vcsim for the vmomi tests: Debian's govmomi simulator (package
// golang-github-vmware-govmomi-dev) with an inventory the test chooses, on a
// random 127.0.0.1 port. It prints "URL=<sdk url>" once serving and stops
// when its standard input closes, so a test that dies never leaks it.
package main

import (
	"bufio"
	"crypto/tls"
	"flag"
	"fmt"
	"net/url"
	"os"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	dc := flag.Int("dc", 1, "datacenters")
	cluster := flag.Int("cluster", 1, "clusters per datacenter")
	host := flag.Int("host", 1, "standalone hosts per datacenter")
	clusterHost := flag.Int("cluster-host", 2, "hosts per cluster")
	vm := flag.Int("vm", 2, "virtual machines per resource pool")
	user := flag.String("user", "user", "user name the simulator accepts")
	pass := flag.String("pass", "pass", "password the simulator accepts")
	useTLS := flag.Bool("tls", false, "serve https with a self-signed certificate")
	flag.Parse()

	model := simulator.VPX()
	model.Datacenter = *dc
	model.Cluster = *cluster
	model.Host = *host
	model.ClusterHost = *clusterHost
	model.Machine = *vm
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim:", err)
		os.Exit(1)
	}
	// Credentials are checked only when set here.
	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(*user, *pass)}
	if *useTLS {
		model.Service.TLS = new(tls.Config)
	}
	server := model.Service.NewServer()
	u := *server.URL
	u.User = nil
	fmt.Printf("URL=%s\n", u.String())
	os.Stdout.Sync()

	// Serve until the parent closes our stdin (or dies).
	in := bufio.NewReader(os.Stdin)
	for {
		if _, err := in.ReadByte(); err != nil {
			break
		}
	}
	server.Close()
	model.Remove()
}
