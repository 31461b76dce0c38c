// A Go HTTP client for zerotrace's end-to-end tests: GETs each URL given as
// an argument, or, with none, each URL read from stdin (one a line, so a
// test can start it before the agent and send requests later), in order
// over one keep-alive connection per host, printing "<status> <url>".
// Certificates are not checked (the tests' servers are self-signed); the
// custom TLS config keeps the client on HTTP/1.1, which zerotrace parses.
package main

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

func main() {
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}}
	get := func(url string) {
		resp, err := client.Get(url)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, url)
	}
	if len(os.Args) > 1 {
		for _, url := range os.Args[1:] {
			get(url)
		}
		return
	}
	fmt.Println("ready")
	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		if url := strings.TrimSpace(lines.Text()); url != "" {
			get(url)
		}
	}
}
