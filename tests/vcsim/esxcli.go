// ESXCLI through the API (-esxcli): what vCenter forwards to each host's
// esxcli, which the 0.24 simulator lacks. ESXCLI.md has the wire shapes.
//
//   - RetrieveDynamicTypeManager and RetrieveManagedMethodExecuter on any
//     HostSystem return that host's own InternalDynamicTypeManager
//     ("dynamic-type-manager-<host moid>") and ReflectManagedMethodExecuter
//     ("method-executer-<host moid>").
//   - The type manager describes (DynamicTypeMgrQueryTypeInfo) and lists
//     (DynamicTypeMgrQueryMoInstances) four commands: system hostname get,
//     system version get, network ip interface ipv4 get, software vib list.
//   - The executer runs them (ExecuteSoap) on the host's own data (name,
//     product, VMkernel NICs, DNS and routing config) and answers as a host
//     does: the result as an XML document in SoapResult.response, a command
//     error (unknown interface, netstack) as a vim.EsxCLI.CLIFault in
//     SoapResult.fault, and what the executer itself refuses (moid, version,
//     method, argument) as a SOAP fault InvalidArgument naming the parameter,
//     as VMware's own executer (pyJack's ManagedMethodExecuter) does.
//   - Releases: the first standalone host (by name) is an ESXi 6.0.0 (product
//     apiVersion 6.0); the others keep the simulator's 6.5. Each executer
//     takes the versions (urn:vim25/<release>) up to its host's release and
//     refuses newer ones, and each type manager describes its release's
//     shapes (6.0's ipv4 get has no Gateway, a 6.5 feature).
//
// Dispatch: the simulator calls the method of the object _this names, by
// reflection, and HostSystem cannot be given methods or be re-registered as
// a wrapper (the simulator type-asserts *HostSystem in many places). So the
// two Retrieve requests decode with _this rewritten to one object that
// stands in for every host (esxcliHosts), remembering the host.
package main

import (
	"fmt"
	"io"
	"net"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// releases are the public vim25 wire releases, oldest first. A host knows
// the ones up to its own, so those are the versions its executer takes.
var releases = []string{
	"2.0", "2.5", "2.5u2", "2.5u2server", "4.0", "4.1", "5.0", "5.1", "5.5",
	"6.0", "6.5", "6.7", "6.7.1", "6.7.2", "6.7.3",
	"7.0.0.0", "7.0.0.2", "7.0.1.0", "7.0.1.1", "7.0.2.0", "7.0.2.1",
	"7.0.3.0", "7.0.3.1", "7.0.3.2",
	"8.0.0.0", "8.0.0.1", "8.0.0.2", "8.0.1.0", "8.0.2.0", "8.0.3.0", "9.0.0.0",
}

// releaseIndex is the position of a wire release in releases, or -1.
func releaseIndex(r string) int {
	for i, v := range releases {
		if v == r {
			return i
		}
	}
	return -1
}

// oldRelease is the product of the older host: ESXi 6.0.0 GA.
var oldRelease = struct{ version, build, api string }{"6.0.0", "2494585", "6.0"}

// ---- Wire types (request decoding, response encoding) ----

// body is the simulator's result of one method: Res's type name is the
// response element's name.
type body[T any] struct {
	Res    *T
	Fault_ *soap.Fault
}

func (b *body[T]) Fault() *soap.Fault { return b.Fault_ }

// invalidArgument is the SOAP fault an executer gives for a parameter it
// refuses, with the text vSphere gives InvalidArgument.
func invalidArgument(prop string) *soap.Fault {
	return simulator.Fault("A specified parameter was not correct: "+prop, &types.InvalidArgument{InvalidProperty: prop})
}

// esxcliHostsRef is where the stand-in for every host is registered.
var esxcliHostsRef = types.ManagedObjectReference{Type: "VmomiEsxcliHosts", Value: "esxcli-hosts"}

// hostRequest is RetrieveDynamicTypeManager and RetrieveManagedMethodExecuter.
type hostRequest struct {
	This types.ManagedObjectReference `xml:"_this"`
	host types.ManagedObjectReference // _this as sent
}

// UnmarshalXML sends the call on an existing HostSystem to esxcliHosts. Any
// other _this is kept, so the simulator answers as for any method the object
// lacks (MethodNotFound) or any missing object (ManagedObjectNotFound).
func (r *hostRequest) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var raw struct {
		This types.ManagedObjectReference `xml:"_this"`
	}
	if err := d.DecodeElement(&raw, &start); err != nil {
		return err
	}
	r.host, r.This = raw.This, raw.This
	if raw.This.Type == "HostSystem" && simulator.Map.Get(raw.This) != nil {
		r.This = esxcliHostsRef
	}
	return nil
}

// The response types are named as their elements: the simulator names the
// element after the Go type of Res.

type RetrieveDynamicTypeManagerResponse struct {
	Returnval types.ManagedObjectReference `xml:"returnval"`
}

type RetrieveManagedMethodExecuterResponse struct {
	Returnval types.ManagedObjectReference `xml:"returnval"`
}

// filterSpec is DynamicTypeMgrTypeFilterSpec (typeSubstr) and
// DynamicTypeMgrMoFilterSpec (id, typeSubstr), whichever xsi:type is sent.
type filterSpec struct {
	Id         string `xml:"id,omitempty"`
	TypeSubstr string `xml:"typeSubstr,omitempty"`
}

// queryRequest is DynamicTypeMgrQueryTypeInfo and DynamicTypeMgrQueryMoInstances.
type queryRequest struct {
	This       types.ManagedObjectReference `xml:"_this"`
	FilterSpec *filterSpec                  `xml:"filterSpec,omitempty"`
}

type annotation struct {
	Name string `xml:"name"`
}

type paramTypeInfo struct {
	Name       string       `xml:"name"`
	Version    string       `xml:"version"`
	Type       string       `xml:"type"`
	Annotation []annotation `xml:"annotation,omitempty"`
}

type methodTypeInfo struct {
	Name           string          `xml:"name"`
	WsdlName       string          `xml:"wsdlName"`
	Version        string          `xml:"version"`
	ParamTypeInfo  []paramTypeInfo `xml:"paramTypeInfo,omitempty"`
	ReturnTypeInfo *paramTypeInfo  `xml:"returnTypeInfo,omitempty"`
	Fault          []string        `xml:"fault,omitempty"`
}

type managedTypeInfo struct {
	Name     string           `xml:"name"`
	WsdlName string           `xml:"wsdlName"`
	Version  string           `xml:"version"`
	Base     []string         `xml:"base,omitempty"`
	Method   []methodTypeInfo `xml:"method,omitempty"`
}

type propertyTypeInfo struct {
	Name       string       `xml:"name"`
	Version    string       `xml:"version"`
	Type       string       `xml:"type"`
	Annotation []annotation `xml:"annotation,omitempty"`
}

type dataTypeInfo struct {
	Name     string             `xml:"name"`
	WsdlName string             `xml:"wsdlName"`
	Version  string             `xml:"version"`
	Base     []string           `xml:"base,omitempty"`
	Property []propertyTypeInfo `xml:"property,omitempty"`
}

// allTypeInfo is DynamicTypeMgrAllTypeInfo (no enums: none is needed).
type allTypeInfo struct {
	ManagedTypeInfo []managedTypeInfo `xml:"managedTypeInfo,omitempty"`
	DataTypeInfo    []dataTypeInfo    `xml:"dataTypeInfo,omitempty"`
}

type DynamicTypeMgrQueryTypeInfoResponse struct {
	Returnval allTypeInfo `xml:"returnval"`
}

type moInstance struct {
	Id     string `xml:"id"`
	MoType string `xml:"moType"`
}

type DynamicTypeMgrQueryMoInstancesResponse struct {
	Returnval []moInstance `xml:"returnval,omitempty"`
}

type soapArgument struct {
	Name string `xml:"name"`
	Val  string `xml:"val"`
}

type executeSoapRequest struct {
	This     types.ManagedObjectReference `xml:"_this"`
	Moid     string                       `xml:"moid"`
	Version  string                       `xml:"version"`
	Method   string                       `xml:"method"`
	Argument []soapArgument               `xml:"argument,omitempty"`
}

type soapFault struct {
	FaultMsg    string `xml:"faultMsg"`
	FaultDetail string `xml:"faultDetail,omitempty"`
}

type soapResult struct {
	Response string     `xml:"response,omitempty"`
	Fault    *soapFault `xml:"fault,omitempty"`
}

type ExecuteSoapResponse struct {
	Returnval *soapResult `xml:"returnval,omitempty"`
}

// ---- The managed objects ----

// The objects below embed an mo type first, by value, as the simulator
// needs of everything in its registry (SearchIndex, for one, digs it out of
// every object); ExtensibleManagedObject carries Self and nothing else.

// esxcliHosts answers the two Retrieve methods for every host. Set-up gives
// each host its pair; a host added later gets its pair on first use.
type esxcliHosts struct {
	mo.ExtensibleManagedObject
	mu    sync.Mutex
	pairs map[types.ManagedObjectReference]*hostPair
}

// hostPair is one host's type manager and executer.
type hostPair struct {
	dtm *dynamicTypeManager
	mme *methodExecuter
}

// pair is a host's pair, made and registered if it has none yet.
func (e *esxcliHosts) pair(r *simulator.Registry, host types.ManagedObjectReference) *hostPair {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.pairs[host]
	if !ok {
		p = &hostPair{&dynamicTypeManager{host: host}, &methodExecuter{host: host}}
		p.dtm.Self = types.ManagedObjectReference{Type: "InternalDynamicTypeManager", Value: "dynamic-type-manager-" + host.Value}
		p.mme.Self = types.ManagedObjectReference{Type: "ReflectManagedMethodExecuter", Value: "method-executer-" + host.Value}
		r.Put(p.dtm)
		r.Put(p.mme)
		e.pairs[host] = p
	}
	return p
}

// hostGone is the fault for a host removed since the request was decoded,
// or for its objects, gone with it.
func hostGone(host types.ManagedObjectReference) *soap.Fault {
	return simulator.Fault("managed object not found: "+host.String(), &types.ManagedObjectNotFound{Obj: host})
}

func (e *esxcliHosts) RetrieveDynamicTypeManager(ctx *simulator.Context, req *hostRequest) soap.HasFault {
	out := new(body[RetrieveDynamicTypeManagerResponse])
	if ctx.Map.Get(req.host) == nil {
		out.Fault_ = hostGone(req.host)
		return out
	}
	out.Res = &RetrieveDynamicTypeManagerResponse{Returnval: e.pair(ctx.Map, req.host).dtm.Self}
	return out
}

func (e *esxcliHosts) RetrieveManagedMethodExecuter(ctx *simulator.Context, req *hostRequest) soap.HasFault {
	out := new(body[RetrieveManagedMethodExecuterResponse])
	if ctx.Map.Get(req.host) == nil {
		out.Fault_ = hostGone(req.host)
		return out
	}
	out.Res = &RetrieveManagedMethodExecuterResponse{Returnval: e.pair(ctx.Map, req.host).mme.Self}
	return out
}

// dynamicTypeManager is one host's InternalDynamicTypeManager.
type dynamicTypeManager struct {
	mo.ExtensibleManagedObject
	host types.ManagedObjectReference
}

// DynamicTypeMgrQueryTypeInfo describes the host's commands and their result
// types (and CLIFault), those whose name contains filterSpec.typeSubstr.
func (m *dynamicTypeManager) DynamicTypeMgrQueryTypeInfo(ctx *simulator.Context, req *queryRequest) soap.HasFault {
	out := new(body[DynamicTypeMgrQueryTypeInfoResponse])
	f, fault := readHost(ctx, m.host, m.Self)
	if fault != nil {
		out.Fault_ = fault
		return out
	}
	substr := ""
	if req.FilterSpec != nil {
		substr = req.FilterSpec.TypeSubstr
	}
	var info allTypeInfo
	data := []*cliData{cliFaultType}
	for _, c := range commands(f.release()) {
		if strings.Contains(c.moType(), substr) {
			info.ManagedTypeInfo = append(info.ManagedTypeInfo, c.typeInfo())
		}
		data = append(data, c.result)
	}
	sort.Slice(data, func(i, j int) bool { return data[i].name < data[j].name })
	for _, d := range data {
		if strings.Contains(d.name, substr) {
			info.DataTypeInfo = append(info.DataTypeInfo, d.typeInfo())
		}
	}
	out.Res = &DynamicTypeMgrQueryTypeInfoResponse{Returnval: info}
	return out
}

// DynamicTypeMgrQueryMoInstances lists the host's command handlers, those
// of filterSpec.id and whose type contains filterSpec.typeSubstr.
func (m *dynamicTypeManager) DynamicTypeMgrQueryMoInstances(ctx *simulator.Context, req *queryRequest) soap.HasFault {
	out := new(body[DynamicTypeMgrQueryMoInstancesResponse])
	f, fault := readHost(ctx, m.host, m.Self)
	if fault != nil {
		out.Fault_ = fault
		return out
	}
	spec := filterSpec{}
	if req.FilterSpec != nil {
		spec = *req.FilterSpec
	}
	res := new(DynamicTypeMgrQueryMoInstancesResponse)
	for _, c := range commands(f.release()) {
		if (spec.Id == "" || spec.Id == c.moid()) && strings.Contains(c.moType(), spec.TypeSubstr) {
			res.Returnval = append(res.Returnval, moInstance{Id: c.moid(), MoType: c.moType()})
		}
	}
	out.Res = res
	return out
}

// methodExecuter is one host's ReflectManagedMethodExecuter.
type methodExecuter struct {
	mo.ExtensibleManagedObject
	host types.ManagedObjectReference
}

// ExecuteSoap checks moid, version, method and arguments in that order, as
// VMware's executer does, then runs the command.
func (m *methodExecuter) ExecuteSoap(ctx *simulator.Context, req *executeSoapRequest) soap.HasFault {
	out := new(body[ExecuteSoapResponse])
	f, fault := readHost(ctx, m.host, m.Self)
	if fault != nil {
		out.Fault_ = fault
		return out
	}
	own := f.release()
	var cmd *cliCommand
	for _, c := range commands(own) {
		if c.moid() == req.Moid {
			cmd = c
		}
	}
	if cmd == nil {
		out.Fault_ = invalidArgument("moid")
		return out
	}
	wire := strings.TrimPrefix(req.Version, "urn:vim25/")
	if !strings.HasPrefix(req.Version, "urn:vim25/") || releaseIndex(wire) < 0 || releaseIndex(wire) > releaseIndex(own) {
		out.Fault_ = invalidArgument("version")
		return out
	}
	// Older clients capitalise the method's own name ("...hostname.Get").
	if name := cmd.moType() + "."; req.Method != name+cmd.method && req.Method != name+strings.ToUpper(cmd.method[:1])+cmd.method[1:] {
		out.Fault_ = invalidArgument("method")
		return out
	}
	args, ok := cmd.parseArgs(req.Argument)
	if !ok {
		out.Fault_ = invalidArgument("argument")
		return out
	}

	res := new(soapResult)
	rows, errMsg := cmd.run(f, args)
	switch {
	case errMsg != "":
		res.Fault = &soapFault{
			FaultMsg:    "EsxCLI.CLIFault.summary",
			FaultDetail: faultXML(wire, errMsg),
		}
	case len(rows) == 0:
		// An empty (optional) result is unset: no returnval at all.
		res = nil
	default:
		res.Response = resultXML(wire, cmd, rows)
	}
	out.Res = &ExecuteSoapResponse{Returnval: res}
	return out
}

// ---- The host's data ----

// hostFacts is what the commands read of a host, copied under its lock.
type hostFacts struct {
	name     string
	product  types.AboutInfo
	vnics    []types.HostVirtualNic
	dns      types.HostDnsConfig
	route    types.HostIpRouteConfig
	netstack []string
}

// release is the host's wire release, its product's apiVersion.
func (f *hostFacts) release() string { return f.product.ApiVersion }

// readHost copies a host's facts. The host gone, its objects are gone too.
func readHost(ctx *simulator.Context, ref, self types.ManagedObjectReference) (*hostFacts, *soap.Fault) {
	h, ok := ctx.Map.Get(ref).(*simulator.HostSystem)
	if !ok {
		return nil, hostGone(self)
	}
	f := new(hostFacts)
	ctx.Map.WithLock(h, func() {
		f.name = h.Name
		if h.Config == nil {
			return
		}
		f.product = h.Config.Product
		if n := h.Config.Network; n != nil {
			f.vnics = append(f.vnics, n.Vnic...)
			if n.DnsConfig != nil {
				f.dns = *n.DnsConfig.GetHostDnsConfig()
			}
			if n.IpRouteConfig != nil {
				f.route = *n.IpRouteConfig.GetHostIpRouteConfig()
			}
			for _, s := range n.NetStackInstance {
				f.netstack = append(f.netstack, s.Key)
			}
		}
	})
	if len(f.netstack) == 0 {
		// The simulator's hosts have none configured; ESXi always has these.
		f.netstack = []string{"defaultTcpipStack", "vmotion", "vSphereProvisioning"}
	}
	return f, nil
}

// ---- The commands ----

// cliVersion is the VMODL version hosts give every EsxCLI type, method and
// parameter (a captured 8.0 host says the same).
const cliVersion = "vim.version.version5"

type cliParam struct {
	name, kind string // kind: string, boolean or long
	optional   bool
}

type cliProp struct {
	name, kind string
}

// cliData is an EsxCLI data type: a command's result, or CLIFault.
type cliData struct {
	name  string // vim.EsxCLI.<ns>.<method>.<Type>
	base  string
	props []cliProp // in ASCII order, as hosts write them
}

// wsdlName is the xsi:type of an EsxCLI type: VimEsxCLI and the rest of its
// name without the dots.
func wsdlName(name string) string {
	return "VimEsxCLI" + strings.ReplaceAll(strings.TrimPrefix(name, "vim.EsxCLI."), ".", "")
}

func (d *cliData) typeInfo() dataTypeInfo {
	t := dataTypeInfo{Name: d.name, WsdlName: wsdlName(d.name), Version: cliVersion, Base: []string{d.base}}
	for _, p := range d.props {
		t.Property = append(t.Property, propertyTypeInfo{Name: p.name, Version: cliVersion, Type: p.kind})
	}
	return t
}

var cliFaultType = &cliData{
	name:  "vim.EsxCLI.CLIFault",
	base:  "vmodl.RuntimeFault",
	props: []cliProp{{"errMsg", "string[]"}},
}

// cliArgs are a call's arguments by parameter name, each value as sent.
type cliArgs map[string][]string

// cliCommand is one ESXCLI command: a method of a vim.EsxCLI.<ns> handler.
type cliCommand struct {
	ns     string // system.hostname
	method string // get
	params []cliParam
	result *cliData
	list   bool // the result is an array (optional: may be unset)
	// run gives the result's rows, or a CLIFault's message.
	run func(f *hostFacts, args cliArgs) ([]map[string]string, string)
}

func (c *cliCommand) moType() string { return "vim.EsxCLI." + c.ns }

// moid is the command handler's id: the handler Moid() govc derives.
func (c *cliCommand) moid() string { return "ha-cli-handler-" + strings.ReplaceAll(c.ns, ".", "-") }

func (c *cliCommand) typeInfo() managedTypeInfo {
	ret := &paramTypeInfo{Name: "result", Version: cliVersion, Type: c.result.name}
	if c.list {
		ret.Type += "[]"
		ret.Annotation = []annotation{{"optional"}}
	}
	m := methodTypeInfo{
		Name:           c.method,
		WsdlName:       wsdlName(c.moType()) + c.method,
		Version:        cliVersion,
		ReturnTypeInfo: ret,
		Fault:          []string{cliFaultType.name},
	}
	for _, p := range c.params {
		pi := paramTypeInfo{Name: p.name, Version: cliVersion, Type: p.kind}
		if p.optional {
			pi.Annotation = []annotation{{"optional"}}
		}
		m.ParamTypeInfo = append(m.ParamTypeInfo, pi)
	}
	return managedTypeInfo{
		Name:     c.moType(),
		WsdlName: wsdlName(c.moType()),
		Version:  cliVersion,
		Base:     []string{"vmodl.ManagedObject"},
		Method:   []methodTypeInfo{m},
	}
}

// parseArgs checks the arguments against the parameters: each names a
// parameter, once, and its val is one element of that name (several for an
// array) whose text is of the parameter's type; required ones are present.
func (c *cliCommand) parseArgs(in []soapArgument) (cliArgs, bool) {
	args := cliArgs{}
	for _, a := range in {
		var p *cliParam
		for i := range c.params {
			if c.params[i].name == a.Name {
				p = &c.params[i]
			}
		}
		if _, dup := args[a.Name]; p == nil || dup {
			return nil, false
		}
		vals, ok := fragmentValues(a.Name, a.Val)
		array := strings.HasSuffix(p.kind, "[]")
		if !ok || len(vals) == 0 || (!array && len(vals) > 1) {
			return nil, false
		}
		for _, v := range vals {
			switch strings.TrimSuffix(p.kind, "[]") {
			case "boolean":
				if v != "true" && v != "false" && v != "1" && v != "0" {
					return nil, false
				}
			case "long":
				if _, err := strconv.ParseInt(v, 10, 64); err != nil {
					return nil, false
				}
			}
		}
		args[a.Name] = vals
	}
	for _, p := range c.params {
		if _, ok := args[p.name]; !ok && !p.optional {
			return nil, false
		}
	}
	return args, true
}

// fragmentValues reads an argument's val, "<name>v</name>" repeated: the
// texts, or false if it is not that.
func fragmentValues(name, val string) ([]string, bool) {
	d := xml.NewDecoder(strings.NewReader(val))
	var vals []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return vals, true
		}
		if err != nil {
			return nil, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var v struct {
				Text  string `xml:",chardata"`
				Inner []byte `xml:",innerxml"`
			}
			if t.Name.Local != name || d.DecodeElement(&v, &t) != nil || strings.Contains(string(v.Inner), "<") {
				return nil, false
			}
			vals = append(vals, v.Text)
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return nil, false
			}
		}
	}
}

// commands are the commands of a host of a release, their shapes as that
// release has them.
func commands(release string) []*cliCommand {
	since65 := releaseIndex(release) >= releaseIndex("6.5")
	ipv4Props := []cliProp{{"AddressType", "string"}, {"DHCPDNS", "boolean"}}
	if since65 {
		// Per-VMkernel-NIC gateways came with 6.5.
		ipv4Props = append(ipv4Props, cliProp{"Gateway", "string"})
	}
	ipv4Props = append(ipv4Props, []cliProp{{"IPv4Address", "string"}, {"IPv4Broadcast", "string"}, {"IPv4Netmask", "string"}, {"Name", "string"}}...)
	return []*cliCommand{
		{
			ns: "network.ip.interface.ipv4", method: "get",
			params: []cliParam{{"interfacename", "string", true}, {"netstack", "string", true}},
			result: &cliData{name: "vim.EsxCLI.network.ip.interface.ipv4.get.IPv4Interface", base: "vmodl.DynamicData", props: ipv4Props},
			list:   true,
			run:    ipv4Get,
		},
		{
			ns: "software.vib", method: "list",
			params: []cliParam{{"rebootingimage", "boolean", true}},
			result: &cliData{name: "vim.EsxCLI.software.vib.list.SoftwarePackage", base: "vmodl.DynamicData", props: []cliProp{
				{"AcceptanceLevel", "string"}, {"CreationDate", "string"}, {"ID", "string"}, {"InstallDate", "string"},
				{"Name", "string"}, {"Status", "string"}, {"Vendor", "string"}, {"Version", "string"},
			}},
			list: true,
			run:  vibList,
		},
		{
			ns: "system.hostname", method: "get",
			result: &cliData{name: "vim.EsxCLI.system.hostname.get.FullyQualifiedHostName", base: "vmodl.DynamicData", props: []cliProp{
				{"DomainName", "string"}, {"FullyQualifiedDomainName", "string"}, {"HostName", "string"},
			}},
			run: hostnameGet,
		},
		{
			ns: "system.version", method: "get",
			result: &cliData{name: "vim.EsxCLI.system.version.get.VersionGet", base: "vmodl.DynamicData", props: []cliProp{
				{"Build", "string"}, {"Patch", "string"}, {"Product", "string"}, {"Update", "string"}, {"Version", "string"},
			}},
			run: versionGet,
		},
	}
}

// hostnameGet splits the host's inventory name: "esx1.example.com" is host
// esx1 of domain example.com; a name without a dot (or an IP address) is
// the host name, in the host's DNS domain.
func hostnameGet(f *hostFacts, _ cliArgs) ([]map[string]string, string) {
	host, domain := f.name, f.dns.DomainName
	if i := strings.IndexByte(host, '.'); i > 0 && net.ParseIP(host) == nil {
		host, domain = host[:i], host[i+1:]
	}
	fqdn := host
	if domain != "" {
		fqdn += "." + domain
	}
	return []map[string]string{{"DomainName": domain, "FullyQualifiedDomainName": fqdn, "HostName": host}}, ""
}

func versionGet(f *hostFacts, _ cliArgs) ([]map[string]string, string) {
	return []map[string]string{{
		"Build":   "Releasebuild-" + f.product.Build,
		"Patch":   "0",
		"Product": f.product.Name,
		"Update":  "0",
		"Version": f.product.Version,
	}}, ""
}

// ipv4Get lists the host's VMkernel NICs, those of interfacename and
// netstack; either naming nothing the host has is a CLIFault.
func ipv4Get(f *hostFacts, args cliArgs) ([]map[string]string, string) {
	if want := args["interfacename"]; want != nil {
		found := false
		for _, v := range f.vnics {
			found = found || v.Device == want[0]
		}
		if !found {
			return nil, "Not found: no VMkernel NIC named " + want[0]
		}
	}
	if want := args["netstack"]; want != nil {
		found := false
		for _, s := range f.netstack {
			found = found || s == want[0]
		}
		if !found {
			return nil, "Not found: no netstack instance named " + want[0]
		}
	}
	var rows []map[string]string
	for _, v := range f.vnics {
		stack := v.Spec.NetStackInstanceKey
		if stack == "" {
			stack = "defaultTcpipStack"
		}
		if want := args["interfacename"]; want != nil && v.Device != want[0] {
			continue
		}
		if want := args["netstack"]; want != nil && stack != want[0] {
			continue
		}
		var ip types.HostIpConfig
		if v.Spec.Ip != nil {
			ip = *v.Spec.Ip
		}
		kind := "STATIC"
		if ip.Dhcp {
			kind = "DHCP"
		}
		// The NIC's own gateway, else the host's default one on the NIC it
		// names (vmk0 when it names none).
		gw := "0.0.0.0"
		if r := v.Spec.IpRouteSpec; r != nil && r.IpRouteConfig != nil && r.IpRouteConfig.GetHostIpRouteConfig().DefaultGateway != "" {
			gw = r.IpRouteConfig.GetHostIpRouteConfig().DefaultGateway
		} else if dev := f.route.GatewayDevice; f.route.DefaultGateway != "" && (dev == v.Device || (dev == "" && v.Device == "vmk0")) {
			gw = f.route.DefaultGateway
		}
		rows = append(rows, map[string]string{
			"AddressType":   kind,
			"DHCPDNS":       strconv.FormatBool(f.dns.Dhcp && f.dns.VirtualNicDevice == v.Device),
			"Gateway":       gw,
			"IPv4Address":   ip.IpAddress,
			"IPv4Broadcast": broadcast(ip.IpAddress, ip.SubnetMask),
			"IPv4Netmask":   ip.SubnetMask,
			"Name":          v.Device,
		})
	}
	return rows, ""
}

// broadcast is the IPv4 broadcast address of ip/mask ("0.0.0.0" if either
// is not an IPv4 address).
func broadcast(ip, mask string) string {
	a, m := net.ParseIP(ip).To4(), net.ParseIP(mask).To4()
	if a == nil || m == nil {
		return "0.0.0.0"
	}
	b := make(net.IP, 4)
	for i := range b {
		b[i] = a[i] | ^m[i]
	}
	return b.String()
}

// vibList is a few VIBs of the host's release: the base system and a NIC
// driver from VMware, two partner VIBs of other acceptance levels.
func vibList(f *hostFacts, _ cliArgs) ([]map[string]string, string) {
	ver, build := f.product.Version, f.product.Build
	code := strings.ReplaceAll(ver, ".", "") // 6.5.0 -> 650, as in VMware's driver versions
	date := "2017-06-29"
	if ver == oldRelease.version {
		date = "2015-03-12"
	}
	vib := func(name, vendor, version, level string) map[string]string {
		return map[string]string{
			"AcceptanceLevel": level,
			"CreationDate":    date,
			"ID":              vendor + "_bootbank_" + name + "_" + version,
			"InstallDate":     date,
			"Name":            name,
			"Status":          "",
			"Vendor":          vendor,
			"Version":         version,
		}
	}
	return []map[string]string{
		vib("esx-base", "VMware", ver+"-0.0."+build, "VMwareCertified"),
		vib("net-e1000", "VMW", "8.0.3.1-5vmw."+code+".0.0."+build, "VMwareCertified"),
		vib("lsi-mr3", "Avago", "7.702.13.00-1OEM."+code+".0.0."+build, "VMwareAccepted"),
		vib("smx-provider", "HPE", code+".03.11.00.17-"+build, "PartnerSupported"),
	}, ""
}

// ---- The XML a host writes into SoapResult ----

// objStart opens the document hosts write: an <obj> in urn:vim25 with the
// request's release as versionId.
func objStart(b *strings.Builder, wire, xsiType string) {
	fmt.Fprintf(b, `<obj xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="urn:vim25" versionId="%s" xsi:type="%s">`+"\n", wire, xsiType)
}

func writeElement(b *strings.Builder, indent, name, text string) {
	b.WriteString(indent + "<" + name + ">")
	_ = xml.EscapeText(b, []byte(text))
	b.WriteString("</" + name + ">\n")
}

// resultXML is a command's result: one object, or for a list an
// ArrayOfDataObject of DataObject elements, each property in type order.
func resultXML(wire string, c *cliCommand, rows []map[string]string) string {
	var b strings.Builder
	if !c.list {
		objStart(&b, wire, wsdlName(c.result.name))
		for _, p := range c.result.props {
			writeElement(&b, " ", p.name, rows[0][p.name])
		}
	} else {
		objStart(&b, wire, "ArrayOfDataObject")
		for _, row := range rows {
			fmt.Fprintf(&b, ` <DataObject xsi:type="%s">`+"\n", wsdlName(c.result.name))
			for _, p := range c.result.props {
				writeElement(&b, "  ", p.name, row[p.name])
			}
			b.WriteString(" </DataObject>\n")
		}
	}
	b.WriteString("</obj>")
	return b.String()
}

// faultXML is a CLIFault as SoapFault.faultDetail carries it.
func faultXML(wire, msg string) string {
	var b strings.Builder
	objStart(&b, wire, wsdlName(cliFaultType.name))
	writeElement(&b, " ", "errMsg", msg)
	b.WriteString("</obj>")
	return b.String()
}

// ---- Set-up ----

// setupESXCLI installs the fixture on the inventory model.Create made and
// returns the older host's name. It must run before NewServer: the request
// types it registers are read, unlocked, by the server's decoder.
func setupESXCLI() (string, error) {
	for name, v := range map[string]interface{}{
		"RetrieveDynamicTypeManager":     hostRequest{},
		"RetrieveManagedMethodExecuter":  hostRequest{},
		"DynamicTypeMgrQueryTypeInfo":    queryRequest{},
		"DynamicTypeMgrQueryMoInstances": queryRequest{},
		"ExecuteSoap":                    executeSoapRequest{},
	} {
		types.Add(name, reflect.TypeOf(v))
	}

	var hosts []*simulator.HostSystem
	for _, e := range simulator.Map.All("HostSystem") {
		hosts = append(hosts, e.(*simulator.HostSystem))
	}
	if len(hosts) == 0 {
		return "", fmt.Errorf("-esxcli: the inventory has no host")
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].Name < hosts[j].Name })
	old := hosts[0]
	for _, h := range hosts {
		if h.Parent != nil && h.Parent.Type == "ComputeResource" {
			old = h
			break
		}
	}
	simulator.Map.WithLock(old, func() {
		p := old.Config.Product
		p.Version, p.Build, p.ApiVersion = oldRelease.version, oldRelease.build, oldRelease.api
		p.FullName = fmt.Sprintf("%s %s build-%s", p.Name, p.Version, p.Build)
		p.LicenseProductVersion = oldRelease.api
		old.Config.Product = p
		// summary.config.product points at the template every host shares:
		// give this host its own.
		summary := p
		old.Summary.Config.Product = &summary
	})

	all := &esxcliHosts{pairs: make(map[types.ManagedObjectReference]*hostPair)}
	all.Self = esxcliHostsRef
	simulator.Map.Put(all)
	for _, h := range hosts {
		all.pair(simulator.Map, h.Self)
	}
	return old.Name, nil
}
