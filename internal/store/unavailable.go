package store

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err means the database cannot be reached
// (refused, reset, shut down, not yet accepting connections) rather than
// that the request was wrong: the caller should answer "try again later",
// and lighten carries on by itself once the database is back.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) {
		// pgx reports a connection closed in the middle of an answer as
		// io.ErrUnexpectedEOF; readers of files turn their own into
		// located faults before they reach here.
		return true
	}
	// A connection that could not be made, whatever the server said
	// (too many clients, starting up): not the request's fault.
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08 is "connection exception"; 53300 too many
		// connections; 57P01–57P03 the server shutting down or starting.
		return len(pe.Code) == 5 && (pe.Code[:2] == "08" || pe.Code == "53300" || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03")
	}
	var ne *net.OpError
	return errors.As(err, &ne)
}
