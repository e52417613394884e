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

  const fetcher = GraphiQL.createFetcher({ url: config.url });

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
