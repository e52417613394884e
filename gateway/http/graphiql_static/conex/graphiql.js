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

  // Subscriptions go over graphql-transport-ws (graphql-ws's client, window.graphqlWs) to
  // the same path on the page's own origin: ws:// or wss:// as the page is http or https
  // (the page's Content-Security-Policy allows that origin and no other). The credential:
  // the browser sends the staff session cookie with the handshake by itself (prod's sign-in;
  // the gateway takes it only from its own Origin); a token typed in the Headers tab goes in
  // connection_init's payload as Authorization (dev), for the whole connection. So one client
  // per Authorization: typing another one closes the old connection and opens a new one.
  const socketURL =
    (window.location.protocol === "https:" ? "wss:" : "ws:") +
    "//" +
    window.location.host +
    new URL(config.url, window.location.href).pathname;

  function authorizationOf(headers) {
    for (const name of Object.keys(headers || {})) {
      if (name.toLowerCase() === "authorization") {
        return String(headers[name]);
      }
    }
    return null;
  }

  let socket = null; // { authorization, client, shown }

  function socketFor(authorization) {
    if (socket !== null && socket.authorization === authorization) {
      return socket.shown;
    }
    if (socket !== null) {
      socket.client.dispose();
    }
    const client = graphqlWs.createClient({
      url: socketURL,
      lazy: true, // connects on the first subscription, closes after the last
      retryAttempts: 0, // a refusal shows in the result pane at once
      connectionParams: authorization === null ? {} : { Authorization: authorization },
      on: {
        closed: function (event) {
          // 4403: the credential is gone. Without a typed token that was the staff session.
          if (event && event.code === 4403 && authorization === null) {
            document.dispatchEvent(new CustomEvent("conex:staff-session-ended"));
          }
        },
      },
    });
    // A closed socket ends the subscription with the close code and reason as its one error,
    // shown in the result pane without this page's stack trace.
    const shown = {
      subscribe: function (payload, sink) {
        return client.subscribe(payload, {
          next: sink.next,
          complete: sink.complete,
          error: function (error) {
            if (error instanceof CloseEvent) {
              const closed = new Error(
                ("Socket closed with event " + error.code + " " + error.reason).trim(),
              );
              closed.stack = undefined; // GraphiQL would show it: it says nothing useful here
              sink.error(closed);
            } else {
              sink.error(error);
            }
          },
        });
      },
    };
    socket = { authorization: authorization, client: client, shown: shown };
    return shown;
  }

  function fetcher(graphQLParams, options) {
    // GraphiQL's own fetcher tells subscriptions from the rest and sends them by wsClient;
    // queries and mutations go by HTTP with the Headers tab's headers, as before.
    return GraphiQL.createFetcher({
      url: config.url,
      headers: { "X-Conex-Staff-Session": "1" },
      fetch: fetchTellingSessionEnd,
      wsClient: socketFor(authorizationOf(options && options.headers)),
    })(graphQLParams, options);
  }

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
