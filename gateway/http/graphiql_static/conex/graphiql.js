// Starts GraphiQL on the Conex gateway's page (gateway/http/graphiql.py writes the page).
// A file of its own, not an inline script, so that the page's Content-Security-Policy can
// allow scripts from 'self' only. The page's settings come in a JSON data block.
(function () {
  "use strict";

  const config = JSON.parse(
    document.getElementById("conex-graphiql-config").textContent,
  );

  // ?q=… opens a shared query, as on Strawberry's stock page.
  const parameters = new URLSearchParams(window.location.search);

  function updateURL(name, value) {
    if (value) {
      parameters.set(name, value);
    } else {
      parameters.delete(name);
    }
    const search = parameters.toString();
    history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  // X-Conex-Staff-Session: the staff session cookie (prod's sign-in, conex/staff.js) counts
  // only on requests that carry it, which a cross-site form cannot send. Without a session
  // it changes nothing. A request refused because the session ended tells the sign-in page.
  function fetchTellingSessionEnd(url, init) {
    return window.fetch(url, init).then(function (response) {
      if (response.status === 401) {
        response
          .clone()
          .json()
          .then(function (answer) {
            const code = answer.errors && answer.errors[0].extensions.code;
            if (code === "STAFF_SESSION_ENDED") {
              document.dispatchEvent(new CustomEvent("conex:staff-session-ended"));
            }
          })
          .catch(function () {});
      }
      return response;
    });
  }

  const fetcher = GraphiQL.createFetcher({
    url: config.url,
    headers: { "X-Conex-Staff-Session": "1" },
    fetch: fetchTellingSessionEnd,
  });

  function ConexGraphiQL() {
    const [query, setQuery] = React.useState(
      parameters.get("q") || config.defaultQuery,
    );
    const [variables, setVariables] = React.useState(
      parameters.get("variables") || undefined,
    );

    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      query: query,
      variables: variables,
      onEditQuery: function (value) {
        setQuery(value);
        updateURL("q", value === config.defaultQuery ? "" : value);
      },
      onEditVariables: function (value) {
        setVariables(value);
        updateURL("variables", value);
      },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      // A staff token must not outlive the tab in localStorage: headers are not kept.
      shouldPersistHeaders: false,
    });
  }

  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(ConexGraphiQL));
})();
