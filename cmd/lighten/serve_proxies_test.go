package main

import (
	"strings"
	"testing"
)

// --trusted-proxies takes a small positive count and is refused otherwise,
// before the database is opened.
func TestServeRefusesBadTrustedProxies(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"0", "-1", "11"} {
		_, err := runCmd(t, "", "serve", "--db", "sqlite:/nonexistent/dir/x.db", "--trust-proxy", "--trusted-proxies", n)
		if err == nil || !strings.Contains(err.Error(), "--trusted-proxies") {
			t.Errorf("--trusted-proxies %s: %v", n, err)
		}
	}
}
