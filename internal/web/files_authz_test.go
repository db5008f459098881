package web

// fileAuthzCases are the rows of the authorization table for the routes
// that take and give files: Excel and CSV of the data dictionary and of
// reports, and DHIS2 interchange.
var fileAuthzCases = []authzCase{}
