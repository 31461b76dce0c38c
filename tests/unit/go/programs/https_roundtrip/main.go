// A Go program with what zerotrace probes in Go: a net/http server behind
// crypto/tls, and a net/http client that calls it from inside a handler (so
// the server, client and TLS functions and their structs are all linked in).
// Run it to see one request go through; the unit tests only inspect the
// binary.
package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
)

func main() {
	backend := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "backend saw %s %s", r.Method, r.URL.Path)
	}))
	defer backend.Close()

	frontend := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A client call made inside a handler: the case goroutine linking is for.
		resp, err := backend.Client().Get(backend.URL + "/inner")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, "frontend got %d: %s", resp.StatusCode, body)
	}))
	defer frontend.Close()

	resp, err := frontend.Client().Get(frontend.URL + "/outer")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
}
