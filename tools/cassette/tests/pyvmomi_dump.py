"""pyVmomi's decoding of recorded SOAP responses, written as VI/JSON.

The other half of the decode oracle (tests/oracle.rs): for each response it
is given, it finds the result type pyVmomi would expect (the method's
`info.result`, or for pyVmomi's property accessor `Fetch` the fetched
property's type, as `StubAdapterAccessorMixin.InvokeAccessor` does),
decodes the bytes with pyVmomi's own `SoapResponseDeserializer` (the one
`SoapStubAdapter.InvokeMethod` uses), and prints the value in the same
encoding and line format as `vmomi-cassette dump`:

    {"interaction": 1, "operation": "Login", "returnval": {...}}
    {"interaction": 1, "operation": "Login", "fault": {...}, "faultstring": "..."}

pyVmomi has no VI/JSON writer of its own (its `VmomiJSONEncoder` writes
`_vimtype` with Python class names and references as "vim.Folder:group-d1"
strings), so the encoding is written here, from pyVmomi's type information:
objects carry `_typeName` (the WSDL name) and wire property names; managed
object references are `{"_typeName": "ManagedObjectReference", "type": ...,
"value": ...}`; arrays are lists; numbers are numbers; dates are RFC 3339
written as vmomi writes them ("Z" for UTC, 0, 3 or 6 fraction digits);
binary is base64; a non-object value in an `anyType` position is
`{"_typeName": ..., "_value": ...}`. Unset values (None) and empty arrays are
left out, as VI/JSON does. pyVmomi turns a `LocalizedMethodFault` on the wire
into the `MethodFault` it holds (its message in `msg`): it is written back as
the wire's `{"_typeName": "LocalizedMethodFault", "fault": ...,
"localizedMessage": ...}`; a top-level fault's `msg` is the SOAP
`faultstring` and goes there.

Usage: python pyvmomi_dump.py INPUT.json, where INPUT.json is
{"interactions": [{"interaction": n, "request": "<soap request>",
"response": "<soap response>"}, ...]}. Only the standard library and pyVmomi.
"""

import base64
import json
import sys
import traceback
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from pyVmomi import SoapAdapter, VmomiSupport as V

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
MethodFault = V.GetVmodlType("vmodl.MethodFault")

# Python types pyVmomi uses for XSD primitives, by their XSD local name.
PRIMITIVE_NAMES = [
    (bool, "boolean"),
    (V.byte, "byte"),
    (V.short, "short"),
    (V.long, "long"),
    (int, "int"),
    (V.double, "double"),
    (float, "float"),
    (datetime, "dateTime"),
    (V.binary, "base64Binary"),
    (V.URI, "anyURI"),
    (str, "string"),
]


def split(tag):
    """'{ns}name' -> (ns, name)."""
    if tag.startswith("{"):
        ns, name = tag[1:].split("}", 1)
        return ns, name
    return "", tag


def result_type(request):
    """The operation and the result type pyVmomi expects for a request."""
    root = ET.fromstring(request.encode("utf-8"))
    body = root.find("{%s}Body" % SOAP_ENV)
    call = list(body)[0]
    ns, op = split(call.tag)
    if op == "Fetch":
        # pyVmomi's property accessor: the result is the property's type.
        this = call.find("{%s}_this" % ns)
        prop = call.find("{%s}prop" % ns).text
        mo_type = V.GetWsdlType(ns, this.get("type"))
        return op, V.GetPropertyInfo(mo_type, prop).type
    return op, V.GetWsdlMethod(ns, op).info.result


def wire_name(t):
    """The wire name of a pyVmomi type, as an xsi:type or _typeName."""
    if isinstance(t, type) and issubclass(t, list):
        item = getattr(t, "Item", object)
        name = wire_name(item)
        return "ArrayOf" + name[0].upper() + name[1:]
    if t is object:
        return "anyType"
    if isinstance(t, type) and issubclass(t, V.ManagedObject):
        return "ManagedObjectReference"
    for py, name in PRIMITIVE_NAMES:
        if t is py:
            return name
    if t in (V.PropertyPath, type, V.ManagedMethod):
        return "string"
    return V.GetWsdlName(t)


def datetime_text(dt):
    """RFC 3339 as vmomi writes it: 'Z' for UTC, 0, 3 or 6 fraction digits."""
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        if dt.microsecond % 1000 == 0:
            text += ".%03d" % (dt.microsecond // 1000)
        else:
            text += ".%06d" % dt.microsecond
    off = dt.utcoffset()
    if off is None or off == timedelta(0):
        return text + "Z"
    sign = "+" if off > timedelta(0) else "-"
    minutes = abs(int(off.total_seconds())) // 60
    return text + "%s%02d:%02d" % (sign, minutes // 60, minutes % 60)


def primitive(val):
    if isinstance(val, bool):
        return val
    if isinstance(val, (int, float)):
        return val
    if isinstance(val, datetime):
        return datetime_text(val)
    if isinstance(val, V.binary):
        return base64.b64encode(val).decode("ascii")
    if isinstance(val, type):
        return V.GetWsdlName(val)
    if isinstance(val, V.UnknownManagedMethod):
        return val.name
    if isinstance(val, V.ManagedMethod):
        return val.info.wsdlName
    return str(val)


def moref(val):
    out = {
        "_typeName": "ManagedObjectReference",
        "type": val._wsdlName,
        "value": val._moId,
    }
    # Kept by pyVmomi (without a stub), dropped by vmomi's reference: a
    # reference that carries one shows up as a difference.
    if val._serverGuid is not None:
        out["serverGuid"] = val._serverGuid
    return out


def data_object(val, skip=()):
    out = {"_typeName": val._wsdlName}
    for prop in val._GetPropertyList():
        if prop.name in skip:
            continue
        v = getattr(val, prop.name)
        if v is None or (isinstance(v, list) and not v):
            continue
        out[prop.name] = encode(v, prop.type)
    return out


def encode(val, declared):
    """VI/JSON of a value whose position declares `declared` (a pyVmomi type;
    `object` is anyType; None: the value's own type)."""
    boxed = declared is object
    if isinstance(val, list):
        item = getattr(Type(val), "Item", object)
        if declared is not None and not boxed and hasattr(declared, "Item"):
            item = declared.Item
        items = [encode(v, item) for v in val]
        if boxed:
            return {"_typeName": wire_name(Type(val)), "_value": items}
        return items
    if isinstance(val, V.ManagedObject):
        return moref(val)
    if isinstance(val, MethodFault):
        # A fault inside a value is a LocalizedMethodFault on the wire.
        out = {"_typeName": "LocalizedMethodFault", "fault": data_object(val, ("msg",))}
        if val.msg is not None:
            out["localizedMessage"] = val.msg
        return out
    if isinstance(val, V.DataObject):
        return data_object(val)
    v = primitive(val)
    if boxed:
        return {"_typeName": wire_name(Type(val)), "_value": v}
    return v


def Type(val):
    return V.Type(val)


def decode(item):
    op, result = result_type(item["request"])
    line = {"interaction": item["interaction"], "operation": op}
    deserializer = SoapAdapter.SoapResponseDeserializer(None)
    obj = deserializer.Deserialize(item["response"].encode("utf-8"), result)
    if deserializer.isFault:
        line["fault"] = data_object(obj, ("msg",))
        line["faultstring"] = obj.msg
    elif obj is None:
        line["returnval"] = None
    else:
        line["returnval"] = encode(obj, result)
    return line


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        items = json.load(f)["interactions"]
    for item in items:
        try:
            line = decode(item)
        except Exception:  # report it as the line, and go on
            line = {
                "interaction": item["interaction"],
                "error": traceback.format_exc(),
            }
        print(json.dumps(line))


if __name__ == "__main__":
    main()
