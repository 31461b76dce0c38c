// A Go net/http server for zerotrace's end-to-end tests of its Go probes.
//
//	go-server -port N [-cert FILE -key FILE] [-downstream URL]
//
// Paths:
//
//	/hello          200 "hello from go"
//	/status/<code>  answers with that status
//	/down/<id>      200 (the downstream end of /work)
//	/work/<id>      GETs <downstream>/down/<id> with http.Get-style client code called
//	                from the handler's own goroutine; 200 with the downstream status
//	                in the body, 502 if the call failed
//	anything else   404
//
// With -cert and -key it serves HTTPS, HTTP/1.1 only: zerotrace parses
// HTTP/1.x, and a non-nil empty TLSNextProto turns Go's HTTP/2 off.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
)

func main() {
	port := flag.Int("port", 0, "port to listen on (127.0.0.1)")
	cert := flag.String("cert", "", "TLS certificate (PEM); HTTPS when set")
	key := flag.String("key", "", "TLS private key (PEM)")
	downstream := flag.String("downstream", "", "base URL /work/<id> calls")
	flag.Parse()

	// Self-signed test certificates downstream; a custom TLS config also
	// keeps the client on HTTP/1.1.
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: true},
		MaxIdleConnsPerHost: 64,
	}}

	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from go\n")
	})
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		if err != nil || code < 200 || code > 599 {
			code = 400
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, "status %d\n", code)
	})
	mux.HandleFunc("/down/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "down %s\n", strings.TrimPrefix(r.URL.Path, "/down/"))
	})
	mux.HandleFunc("/work/", func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.URL.Path, "/work/")
		resp, err := client.Get(*downstream + "/down/" + id)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "downstream failed: %v\n", err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Fprintf(w, "work %s downstream %d\n", id, resp.StatusCode)
	})

	server := &http.Server{Addr: fmt.Sprintf("127.0.0.1:%d", *port), Handler: mux}
	if *cert != "" {
		server.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
		log.Fatal(server.ListenAndServeTLS(*cert, *key))
	}
	log.Fatal(server.ListenAndServe())
}
