// An independent oracle for struct field offsets, to check zerotrace's
// libdw reader and its built-in offset table against.
//
//	field_offsets_oracle dwarf BINARY TYPE FIELD [TYPE FIELD ...]
//	    offsets read from BINARY's DWARF with Go's own debug/dwarf; FIELD
//	    "*" prints every field of TYPE
//	field_offsets_oracle reflect TYPE FIELD [TYPE FIELD ...]
//	    offsets of this program's own types (same toolchain, same layout)
//	    through reflection; unexported types are reached through exported
//	    ones, and net/http.response through a live handler
//
// Prints one "TYPE FIELD OFFSET" line per pair it can answer and nothing for
// the others; exits 2 on bad usage.
package main

import (
	"crypto/tls"
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "dwarf":
		if len(os.Args) < 3 || len(os.Args)%2 != 1 {
			usage()
		}
		fromDWARF(os.Args[2], os.Args[3:])
	case "reflect":
		if len(os.Args)%2 != 0 {
			usage()
		}
		fromReflection(os.Args[2:])
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: field_offsets_oracle dwarf BINARY TYPE FIELD... | reflect TYPE FIELD...")
	os.Exit(2)
}

func fromDWARF(binary string, pairs []string) {
	file, err := elf.Open(binary)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	data, err := file.DWARF()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wanted := map[string]bool{}
	for i := 0; i < len(pairs); i += 2 {
		wanted[pairs[i]] = true
	}
	structs := map[string]*dwarf.StructType{}
	reader := data.Reader()
	for {
		entry, err := reader.Next()
		if err != nil || entry == nil {
			break
		}
		if entry.Tag == dwarf.TagStructType {
			name, _ := entry.Val(dwarf.AttrName).(string)
			if wanted[name] && structs[name] == nil {
				if t, err := data.Type(entry.Offset); err == nil {
					if st, ok := t.(*dwarf.StructType); ok {
						structs[name] = st
					}
				}
			}
		}
		if entry.Tag != dwarf.TagCompileUnit && entry.Children {
			reader.SkipChildren()
		}
	}
	for i := 0; i < len(pairs); i += 2 {
		if st := structs[pairs[i]]; st != nil {
			for _, field := range st.Field {
				if field.Name == pairs[i+1] || pairs[i+1] == "*" {
					fmt.Println(pairs[i], field.Name, field.ByteOffset)
				}
			}
		}
	}
}

func fromReflection(pairs []string) {
	types := map[string]reflect.Type{}
	add := func(t reflect.Type) reflect.Type {
		types[t.PkgPath()+"."+t.Name()] = t
		return t
	}
	add(reflect.TypeOf(tls.Conn{}))
	add(reflect.TypeOf(http.Request{}))
	add(reflect.TypeOf(http.Response{}))
	add(reflect.TypeOf(url.URL{}))
	tcpConn := add(reflect.TypeOf(net.TCPConn{}))
	conn := add(field(tcpConn, "conn"))
	netFD := add(field(conn, "fd").Elem())
	add(field(netFD, "pfd"))
	// net/http.response only exists behind the ResponseWriter of a request.
	writers := make(chan reflect.Type, 1)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case writers <- reflect.TypeOf(w).Elem():
		default:
		}
	}))
	resp, err := http.Get(server.URL)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	server.Close()
	response := add(<-writers)
	add(field(response, "conn").Elem())

	for i := 0; i < len(pairs); i += 2 {
		if t := types[pairs[i]]; t != nil {
			if f, ok := t.FieldByName(pairs[i+1]); ok && len(f.Index) == 1 {
				fmt.Println(pairs[i], pairs[i+1], f.Offset)
			}
		}
	}
}

func field(t reflect.Type, name string) reflect.Type {
	f, ok := t.FieldByName(name)
	if !ok {
		fmt.Fprintf(os.Stderr, "%s has no field %s\n", t, name)
		os.Exit(1)
	}
	return f.Type
}
