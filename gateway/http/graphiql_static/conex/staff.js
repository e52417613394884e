// The staff sign-in of the Conex gateway's GraphiQL in prod (gateway/http/graphiql.py writes
// the page, gateway/http/staff_session.py answers /staff/session). A file of its own: the
// page's Content-Security-Policy allows scripts from 'self' only.
//
// The page is the same for everyone. This script asks the gateway whether the browser has a
// staff session; if not it shows the sign-in form, which exchanges a staff token for an
// HttpOnly session cookie (the token is not kept). Signed in, it loads GraphiQL's files,
// listed in the page's settings, and conex/graphiql.js starts GraphiQL, which sends the
// cookie with the X-Conex-Staff-Session header on every request.
(function () {
  "use strict";

  const config = JSON.parse(
    document.getElementById("conex-graphiql-config").textContent,
  );
  const staff = config.staff;
  const signIn = document.getElementById("conex-sign-in");
  const form = document.getElementById("conex-sign-in-form");
  const token = document.getElementById("conex-token");
  const button = document.getElementById("conex-sign-in-button");
  const message = document.getElementById("conex-sign-in-message");
  const bar = document.getElementById("conex-staff-bar");
  const status = document.getElementById("conex-staff-status");
  const signOut = document.getElementById("conex-sign-out");

  // Same origin only; the header is what a cross-site form or link cannot send.
  function call(method, body) {
    const init = {
      method: method,
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json", "X-Conex-Staff-Session": "1" },
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(staff.session, init).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (answer) {
          return { status: response.status, answer: answer };
        });
    });
  }

  function errorMessage(answer, fallback) {
    const errors = answer && answer.errors;
    return (errors && errors[0] && errors[0].message) || fallback;
  }

  function showSignIn(text) {
    bar.hidden = true;
    signIn.hidden = false;
    message.textContent = text || "";
    button.disabled = false;
    token.focus();
  }

  function load(tag, url) {
    return new Promise(function (resolve, reject) {
      const element = document.createElement(tag);
      if (tag === "link") {
        element.rel = "stylesheet";
        element.href = url;
      } else {
        element.src = url;
        element.async = false;
      }
      element.onload = resolve;
      element.onerror = function () {
        reject(new Error("could not load " + url));
      };
      (tag === "link" ? document.head : document.body).appendChild(element);
    });
  }

  let started = false;

  function startGraphiQL(who) {
    signIn.hidden = true;
    bar.hidden = false;
    document.body.classList.add("conex-signed-in");
    const until = new Date(who.expiresAt);
    status.textContent =
      "Signed in as staff: " + who.name + " (until " + until.toLocaleString() + ")";
    if (started) {
      return;
    }
    started = true;
    document.getElementById("graphiql").hidden = false;
    // Styles first, then the scripts one after the other, in the page's order.
    Promise.all(
      staff.styles.map(function (url) {
        return load("link", url);
      }),
    )
      .then(function () {
        return staff.scripts.reduce(function (done, url) {
          return done.then(function () {
            return load("script", url);
          });
        }, Promise.resolve());
      })
      .catch(function (error) {
        status.textContent = "GraphiQL did not load: " + error.message;
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    message.textContent = "";
    call("POST", { token: token.value.trim() })
      .then(function (reply) {
        token.value = "";
        if (reply.status === 200) {
          startGraphiQL(reply.answer.staff);
        } else {
          showSignIn(errorMessage(reply.answer, "Sign-in failed (" + reply.status + ")."));
        }
      })
      .catch(function () {
        showSignIn("The gateway did not answer; try again.");
      });
  });

  signOut.addEventListener("click", function () {
    signOut.disabled = true;
    call("DELETE").finally(function () {
      window.location.reload();
    });
  });

  // conex/graphiql.js: a request refused because the session ended (expired, signed out
  // elsewhere, token revoked).
  document.addEventListener("conex:staff-session-ended", function () {
    status.textContent = "Your staff session has ended. Reload the page to sign in again.";
    signOut.hidden = true;
  });

  call("GET")
    .then(function (reply) {
      if (reply.status === 200 && reply.answer.staff) {
        startGraphiQL(reply.answer.staff);
      } else {
        showSignIn("");
      }
    })
    .catch(function () {
      showSignIn("The gateway did not answer; reload to try again.");
    });
})();
