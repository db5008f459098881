package web

import (
	"net/http"
	"testing"

	"lighten/internal/auth"
)

// TestCurrentPasswordGuessesLockOut: whoever holds a stolen token cannot
// guess the password behind it at leisure: wrong current passwords count as
// failed sign-ins, and after the limit even the right one is refused.
func TestCurrentPasswordGuessesLockOut(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		_, token := f.person("guo", "430922", "cadre@430922")
		for i := 0; i < auth.MaxFailures; i++ {
			if status, body := f.do("POST", "/api/v1/me/password", token, PasswordBody{Current: "guess", Password: "a new long password"}); status != http.StatusBadRequest {
				t.Fatalf("guess %d: %d %s", i, status, body)
			}
		}
		if status, body := f.do("POST", "/api/v1/me/password", token, PasswordBody{Current: fixturePassword, Password: "a new long password"}); status != http.StatusTooManyRequests {
			t.Fatalf("after %d guesses the right password: %d %s", auth.MaxFailures, status, body)
		}
		if status, _ := f.do("POST", "/api/v1/session", "", SignInBody{Login: "guo", Password: fixturePassword}); status != http.StatusTooManyRequests {
			t.Fatalf("sign-in from the guessing address: %d", status)
		}
	})
}

func TestAddressKeyGroupsIPv6Networks(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"10.0.0.7":                     "10.0.0.7",
		"2001:db8:1:2:aaaa::1":         "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff::9999": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":              "2001:db8:1:3::/64",
		"::ffff:10.0.0.7":              "::ffff:10.0.0.7",
		"not an address":               "not an address",
	} {
		if got := addressKey(in); got != want {
			t.Errorf("addressKey(%q) = %q, want %q", in, got, want)
		}
	}
}
