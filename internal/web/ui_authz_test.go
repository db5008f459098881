package web

// uiAuthzCases are the pages' rows of the authorization table.
var uiAuthzCases = []authzCase{}
