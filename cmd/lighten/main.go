// Command lighten is the gate through which every demand on the grassroots
// passes: one binary that serves the web UI and API, and administers the
// database from the command line.
//
// The command line speaks 简体中文 or English, as the environment says:
// LIGHTEN_LANG, else LC_ALL, LC_MESSAGES and LANG in turn (see
// i18n.FromEnv).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	"lighten/internal/i18n"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		os.Exit(1)
	}
}

// run is the whole program, callable in-process by tests. getenv reads the
// environment that chooses the language (nil reads nothing: English). A
// failure is reported on stderr, in that language, and returned.
func run(ctx context.Context, getenv func(string) string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	l := i18n.FromEnv(getenv)
	err := dispatch(ctx, l, args, stdin, stdout, stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stderr, "lighten: "+errorText(l, err))
	}
	return err
}

func dispatch(ctx context.Context, l i18n.Lang, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if len(args) == 0 {
		fmt.Fprint(stderr, i18n.T(l, "cli.usage"))
		return failf("cli.error.no_command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "demo":
		return cmdDemo(ctx, l, rest, stdout, stderr)
	case "serve":
		return cmdServe(ctx, l, rest, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, l, rest, stdout, stderr)
	case "import":
		return cmdImport(ctx, l, rest, stdout, stderr)
	case "user":
		return cmdUser(ctx, l, rest, stdin, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, l, rest, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, l, rest, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, l, rest, stdout, stderr)
	case "verify":
		return cmdVerify(ctx, l, rest, stdout, stderr)
	case "calendar":
		return cmdCalendar(ctx, l, rest, stdout, stderr)
	case "duties":
		return cmdDuties(ctx, l, rest, stdout, stderr)
	case "draw":
		return cmdDraw(ctx, l, rest, stdout, stderr)
	case "dhis2":
		return cmdDHIS2(ctx, l, rest, stdout, stderr)
	case "inspectors", "plans", "visits":
		return cmdVisitWork(ctx, l, cmd, rest, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "lighten", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, i18n.T(l, "cli.usage"))
		return nil
	}
	fmt.Fprint(stderr, i18n.T(l, "cli.usage"))
	return failf("cli.error.unknown_command", cmd)
}

// A messenger is an error that can say itself in either language.
type messenger interface{ Message() i18n.Text }

// errorText is an error as the command line reports it: in l when the error
// can say itself in both languages, else its text.
func errorText(l i18n.Lang, err error) string {
	var m messenger
	if errors.As(err, &m) {
		return m.Message().In(l)
	}
	return err.Error()
}

// cliError is an error the command line builds itself, from a catalogue
// key. Its arguments may be errors and i18n.Texts.
type cliError struct {
	key  string
	args []any
}

// failf builds an error from the catalogue.
func failf(key string, args ...any) error { return &cliError{key: key, args: args} }

// in renders the error in l. Errors among the arguments are rendered as
// errorText renders them, or by their own text when plain.
func (e *cliError) in(l i18n.Lang, plain bool) string {
	args := make([]any, len(e.args))
	for i, a := range e.args {
		switch v := a.(type) {
		case error:
			if plain {
				a = v.Error()
			} else {
				a = errorText(l, v)
			}
		case i18n.Text:
			a = v.In(l)
		}
		args[i] = a
	}
	return i18n.T(l, e.key, args...)
}

// Error gives the error in English, with the plain text of the errors it
// carries.
func (e *cliError) Error() string { return e.in(i18n.EN, true) }

// Message gives the error in both languages, each error it carries in the
// same language.
func (e *cliError) Message() i18n.Text {
	return i18n.Text{ZH: e.in(i18n.ZH, false), EN: e.in(i18n.EN, false)}
}

// Unwrap gives the errors among the arguments, for errors.Is and errors.As.
func (e *cliError) Unwrap() []error {
	var out []error
	for _, a := range e.args {
		if err, ok := a.(error); ok {
			out = append(out, err)
		}
	}
	return out
}

// say writes a catalogue string in l, with a newline.
func say(w io.Writer, l i18n.Lang, key string, args ...any) {
	fmt.Fprintln(w, i18n.T(l, key, args...))
}

// dbFlag adds the shared --db flag.
func dbFlag(l i18n.Lang, fs *flag.FlagSet, def string) *string {
	if env := os.Getenv("LIGHTEN_DB"); env != "" {
		def = env
	}
	return fs.String("db", def, i18n.T(l, "cli.flag.db"))
}

// newFlags makes a command's flag set, whose help speaks l on stderr. The
// flag package's own messages are not printed: parseFlags returns them in l.
func newFlags(l i18n.Lang, name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("lighten "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		say(stderr, l, "cli.flags.usage", fs.Name())
		printDefaults(l, fs, stderr)
	}
	return fs
}

// flagFaults are the faults the flag package reports, as it words them,
// with the catalogue keys that say them in either language.
var flagFaults = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^flag provided but not defined: (.*)$`), "cli.flags.undefined"},
	{regexp.MustCompile(`^flag needs an argument: (.*)$`), "cli.flags.needs_argument"},
	{regexp.MustCompile(`^bad flag syntax: (.*)$`), "cli.flags.bad_syntax"},
	{regexp.MustCompile(`(?s)^invalid boolean value (".*") for (\S+): (.*)$`), "cli.flags.invalid_boolean"},
	{regexp.MustCompile(`(?s)^invalid value (".*") for flag (\S+): (.*)$`), "cli.flags.invalid_value"},
}

// flagReasons are the reasons the flag package gives for a value it cannot
// read.
var flagReasons = map[string]string{
	"parse error":        "cli.flags.parse_error",
	"value out of range": "cli.flags.out_of_range",
}

// parseFlags parses args, and says a fault in them in l.
func parseFlags(l i18n.Lang, fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	for _, f := range flagFaults {
		if m := f.re.FindStringSubmatch(err.Error()); m != nil {
			a := make([]any, len(m)-1)
			for i, s := range m[1:] {
				a[i] = s
				if key, ok := flagReasons[s]; ok {
					a[i] = i18n.Both(key)
				}
			}
			return failf(f.key, a...)
		}
	}
	return err
}

// flagKinds names the kinds of value flags take.
var flagKinds = map[string]string{
	"string": "cli.flags.kind.string",
	"int":    "cli.flags.kind.int",
	"value":  "cli.flags.kind.value",
}

// printDefaults lists a flag set's flags on w, as flag.PrintDefaults does,
// in l.
func printDefaults(l i18n.Lang, fs *flag.FlagSet, w io.Writer) {
	fs.VisitAll(func(f *flag.Flag) {
		var b strings.Builder
		b.WriteString("  -" + f.Name)
		kind, usage := flag.UnquoteUsage(f)
		if key, ok := flagKinds[kind]; ok {
			kind = i18n.T(l, key)
		}
		if kind != "" {
			b.WriteString(" " + kind)
		}
		b.WriteString("\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t"))
		switch f.DefValue {
		case "", "false", "0":
		default:
			b.WriteString(i18n.T(l, "cli.flags.default", f.DefValue))
		}
		fmt.Fprintln(w, b.String())
	})
}
