// vcsim for the vmomi tests: Debian's govmomi simulator (package
// golang-github-vmware-govmomi-dev) with an inventory the test chooses, on a
// random 127.0.0.1 port. It prints "URL=<sdk url>" once serving (always the
// last start-up line) and stops when its standard input closes, so a test
// that dies never leaks it.
//
// With -tls it serves https with a certificate chain made at start-up: an
// ECDSA P-256 CA and a leaf for 127.0.0.1 / localhost signed by it, so
// clients can verify the server properly (httptest's built-in certificate is
// a CA certificate used as a leaf, which webpki rejects). The CA is written
// as PEM to -ca-out, and the leaf's thumbprints are printed before the URL
// as "SHA256=AB:CD:..." and "SHA1=AB:CD:..." (uppercase, colon-separated,
// as vSphere shows them). Each virtual machine's name is printed as "VM=<name>".
//
// With -tls-builtin it serves https with govmomi's built-in httptest
// certificate instead (RSA-1024, a CA certificate used as the leaf, as a
// plain `vcsim` does), printing its thumbprints the same way; no CA file.
//
// With -ci it adds the vmci fixture (ci.go); with -pbm the storage policy
// service at /pbm/sdk and a vsanDatastore (pbm.go); with -esxcli ESXCLI
// through the API on every host, one of them an older release (esxcli.go),
// whose name is printed as "ESXCLI_OLD_HOST=<name>".
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
)

// hexColon formats b as uppercase hex byte pairs separated by colons.
func hexColon(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		fail(err)
	}
	return n
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "vcsim:", err)
	os.Exit(1)
}

// newChain makes a CA and a server certificate for 127.0.0.1 signed by it. It
// returns the leaf (with its key) and the CA certificate in DER.
func newChain() (tls.Certificate, []byte, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "vmomi test CA", Organization: []string{"vmomi tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return tls.Certificate{}, nil, err
	}

	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leafTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "127.0.0.1", Organization: []string{"vmomi tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  false,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf := tls.Certificate{
		Certificate: [][]byte{leafDER},
		PrivateKey:  leafKey,
	}
	return leaf, caDER, nil
}

func main() {
	dc := flag.Int("dc", 1, "datacenters")
	cluster := flag.Int("cluster", 1, "clusters per datacenter")
	host := flag.Int("host", 1, "standalone hosts per datacenter")
	clusterHost := flag.Int("cluster-host", 2, "hosts per cluster")
	vm := flag.Int("vm", 2, "virtual machines per resource pool")
	user := flag.String("user", "user", "user name the simulator accepts")
	pass := flag.String("pass", "pass", "password the simulator accepts")
	useTLS := flag.Bool("tls", false, "serve https with a certificate signed by a CA made at start-up")
	caOut := flag.String("ca-out", "", "with -tls: write the CA certificate (PEM) to this file")
	ci := flag.Bool("ci", false, "the vmci fixture: templates, a folder ci refusing duplicate VM names, a guest agent reporting IPs")
	usePBM := flag.Bool("pbm", false, "serve the storage policy (PBM) API at /pbm/sdk, with a vsanDatastore on the first cluster")
	builtin := flag.Bool("tls-builtin", false, "serve https with govmomi's built-in certificate (RSA-1024, a CA used as the leaf)")
	useESXCLI := flag.Bool("esxcli", false, "ESXCLI through the API on every host; the first standalone host is ESXi 6.0, refusing newer versions")
	flag.Parse()
	if *useTLS && *builtin {
		fail(fmt.Errorf("-tls and -tls-builtin exclude each other"))
	}

	model := simulator.VPX()
	model.Datacenter = *dc
	model.Cluster = *cluster
	model.Host = *host
	model.ClusterHost = *clusterHost
	model.Machine = *vm
	if err := model.Create(); err != nil {
		fail(err)
	}
	// Credentials are checked only when set here.
	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(*user, *pass)}
	var leafDER []byte
	if *useTLS {
		leaf, caDER, err := newChain()
		if err != nil {
			fail(err)
		}
		leafDER = leaf.Certificate[0]
		if *caOut != "" {
			caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
			if err := os.WriteFile(*caOut, caPEM, 0o644); err != nil {
				fail(err)
			}
		}
		// httptest (govmomi's copy in simulator/internal) keeps preset
		// certificates and only falls back to its built-in one when none is set.
		model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	}
	if *builtin {
		// No certificate set: httptest falls back to its built-in one.
		model.Service.TLS = new(tls.Config)
	}
	if *usePBM {
		// Before NewServer, which serves the mux this adds /pbm/sdk to.
		model.Service.RegisterSDK(pbmRegistry())
	}
	if *useESXCLI {
		// Before NewServer, whose decoder reads the request types this adds.
		old, err := setupESXCLI()
		if err != nil {
			fail(err)
		}
		fmt.Printf("ESXCLI_OLD_HOST=%s\n", old)
	}
	server := model.Service.NewServer()
	if *builtin {
		leafDER = server.Certificate().Raw
	}
	if leafDER != nil {
		s256 := sha256.Sum256(leafDER)
		s1 := sha1.Sum(leafDER)
		fmt.Printf("SHA256=%s\n", hexColon(s256[:]))
		fmt.Printf("SHA1=%s\n", hexColon(s1[:]))
	}
	if *ci {
		if err := setupCI(server.URL, *user, *pass); err != nil {
			fail(err)
		}
	}
	var pbmDir string
	if *usePBM {
		dir, err := setupPBM(server.URL, *user, *pass)
		pbmDir = dir
		if err != nil {
			if dir != "" {
				os.RemoveAll(dir)
			}
			fail(err)
		}
	}
	// The inventory as the simulator holds it, so tests compare against the
	// server's truth rather than a guess of its naming scheme.
	for _, e := range simulator.Map.All("VirtualMachine") {
		fmt.Printf("VM=%s\n", e.Entity().Name)
	}
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
	if pbmDir != "" {
		os.RemoveAll(pbmDir)
	}
}
