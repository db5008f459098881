package store

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Overloaded reports whether err says the database could not take the
// work in time, rather than that something is wrong: the request's
// deadline passed, PostgreSQL ended a statement or a wait for a lock at
// its timeout (statement_timeout, lock_timeout), found two transactions
// waiting for each other or could not serialise one, or SQLite stayed
// busy past busy_timeout. The work was not done and may be asked again.
func Overloaded(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57014", // query_canceled: statement_timeout, or the request's deadline
			"55P03", // lock_not_available: lock_timeout
			"40P01", // deadlock_detected
			"40001": // serialization_failure
			return true
		}
		return false
	}
	s := err.Error()
	return strings.Contains(s, "database is locked") || strings.Contains(s, "SQLITE_BUSY")
}
