/* The resident's pages (central/web/issuance_page.py): self-declaration, my code, check-in.
 *
 * Calls the public issuance API. The holder token is kept in sessionStorage (this tab only).
 * Every refusal is shown beside the field it is about, in the page's language: the words come
 * with the page (#words); the API's own English detail is never shown.
 */
(function () {
  "use strict";
  var API = "/api/v1/issuance";
  var TOKEN = "holder_token";
  var words = JSON.parse(document.getElementById("words").textContent);
  var body = document.body;
  var page = body.getAttribute("data-page");
  var refreshEveryMs = 1000 * Number(body.getAttribute("data-refresh-every-s") || 300);
  var smsWaitS = Number(body.getAttribute("data-sms-wait-s") || 60);
  var FIELDS = [
    "full_name", "id_number", "phone", "sms_code", "residence", "workplace", "travel",
    "temperature_celsius", "symptoms", "contacts", "previous_phone_code",
  ];

  function $(id) {
    return document.getElementById(id);
  }

  // ------------------------------------------------------------------ talking to central

  function call(path, payload, token) {
    var headers = { "Content-Type": "application/json" };
    if (token) {
      headers.Authorization = "Bearer " + token;
    }
    return fetch(API + path, { method: "POST", headers: headers, body: JSON.stringify(payload || {}) })
      .then(function (response) {
        return response.json().catch(function () {
          return {};
        }).then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      }, function () {
        return { ok: false, status: 0, data: {} };
      });
  }

  /* Which field a refusal is about: pydantic's location, or "field: why" in our detail. */
  function fieldOf(answer) {
    var detail = answer.data && answer.data.detail;
    if (Array.isArray(detail) && detail.length && Array.isArray(detail[0].loc)) {
      var loc = detail[0].loc.filter(function (part) {
        return typeof part === "string" && part !== "body";
      });
      return loc.length ? loc[0] : null;
    }
    if (typeof detail === "string") {
      var head = detail.split(":")[0].trim();
      return FIELDS.indexOf(head) >= 0 ? head : null;
    }
    return null;
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach(function (p) {
      p.textContent = "";
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
    });
    form.querySelectorAll(".rp-missing").forEach(function (picker) {
      picker.classList.remove("rp-missing");
    });
    var general = $("form-error");
    if (general) {
      general.textContent = "";
    }
  }

  function fieldError(field, text) {
    var slot = $(field + "-error");
    var input = $(field);
    if (!slot) {
      return false;
    }
    slot.textContent = text;
    if (input) {
      input.setAttribute("aria-invalid", "true");
    }
    var picker = $(field + "-picker");
    if (picker) {
      picker.classList.add("rp-missing"); // the region picker's own mark
    }
    return true;
  }

  /* Put a refusal where it belongs; `wrongCode` says what a 401 means on this form. */
  function showRefusal(answer, wrongCode) {
    var general = $("form-error");
    var reason = answer.data && answer.data.error;
    if (answer.status === 0) {
      general.textContent = words.r_err_network;
      return;
    }
    if (answer.status === 429 || reason === "rate_limited") {
      general.textContent = words.r_err_rate_limited;
      return;
    }
    if (answer.status === 401) {
      fieldError("sms_code", wrongCode || words.r_err_sms_code_wrong);
      general.textContent = words.r_err_check;
      return;
    }
    if (answer.status >= 500) {
      general.textContent = reason === "sms_failed" ? words.r_err_sms_failed : words.r_err_server;
      return;
    }
    var field = fieldOf(answer);
    if (field && fieldError(field, words["r_err_" + field] || words.r_err_check)) {
      general.textContent = words.r_err_check;
      var input = $(field);
      if (input && input.focus) {
        input.focus();
      }
      return;
    }
    general.textContent = words.r_err_check;
  }

  // ------------------------------------------------------------------ checks before sending

  var PHONE = /^1[3-9]\d{9}$/;
  var RESIDENT_ID = /^\d{17}[\dXx]$/;

  /* GB 11643: the 18th character checks the first 17 (a mistyped digit is caught here). */
  function residentIdFine(number) {
    if (!RESIDENT_ID.test(number)) {
      return false;
    }
    var weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    var sum = 0;
    for (var i = 0; i < 17; i += 1) {
      sum += Number(number.charAt(i)) * weights[i];
    }
    return "10X98765432".charAt(sum % 11) === number.charAt(17).toUpperCase();
  }

  function value(id) {
    var input = $(id);
    return input ? input.value.trim() : "";
  }

  function temperature() {
    var text = value("temperature_celsius").replace("，", ".").replace(",", ".");
    return text ? Number(text) : null;
  }

  function checkCommon(required) {
    var fine = true;
    if (required.indexOf("id_number") >= 0) {
      var number = value("id_number");
      var resident = value("id_type") === "resident_id";
      if (resident ? !residentIdFine(number) : number.length < 5) {
        fine = fieldError("id_number", words.r_err_id_number) && false;
      }
    }
    if (required.indexOf("phone") >= 0 && !PHONE.test(value("phone"))) {
      fine = fieldError("phone", words.r_err_phone) && false;
    }
    if (required.indexOf("sms_code") >= 0 && !/^\d{4,8}$/.test(value("sms_code"))) {
      fine = fieldError("sms_code", words.r_err_sms_code) && false;
    }
    if (required.indexOf("temperature_celsius") >= 0) {
      var celsius = temperature();
      if (celsius !== null && !(celsius >= 34 && celsius <= 43)) {
        fine = fieldError("temperature_celsius", words.r_err_temperature_celsius) && false;
      }
    }
    return fine;
  }

  // ------------------------------------------------------------------ the SMS button

  /* The button waits out the per-phone minute, counting down, then reads as before. */
  function countDown(button, label) {
    var left = smsWaitS;
    button.textContent = words.r_sms_wait.replace("{s}", left);
    var timer = setInterval(function () {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        button.textContent = label;
      } else {
        button.textContent = words.r_sms_wait.replace("{s}", left);
      }
    }, 1000);
  }

  /* Ask for a code: refusals beside `field`, "sent" in `note`, then the countdown. */
  function askForCode(button, path, payload, field, note, sent, codeField) {
    var label = button.textContent;
    button.disabled = true;
    call(path, payload).then(function (answer) {
      if (!answer.ok) {
        button.disabled = false;
        if (answer.status === 429 || (answer.data && answer.data.error) === "rate_limited") {
          fieldError(field, words.r_err_rate_limited);
        } else if (answer.status >= 500 || answer.status === 0) {
          fieldError(field, answer.status ? words.r_err_sms_failed : words.r_err_network);
        } else {
          var about = fieldOf(answer) || field;
          fieldError(about, words["r_err_" + about] || words.r_err_check);
        }
        return;
      }
      $(note).textContent = sent;
      countDown(button, label);
      $(codeField).focus();
    });
  }

  function smsButton() {
    var send = $("send");
    if (!send) {
      return;
    }
    send.addEventListener("click", function () {
      $("phone-error").textContent = "";
      $("send-note").textContent = "";
      if (!PHONE.test(value("phone"))) {
        fieldError("phone", words.r_err_phone);
        return;
      }
      askForCode(send, "/sms-codes", { phone: value("phone") }, "phone", "send-note",
        words.r_sms_sent, "sms_code");
    });
  }

  // ------------------------------------------------------------------ one person, one code

  /* Central refuses a known ID from another phone without a code from the phone on record
   * (403 "previous_phone_code: ..."): the page asks for that code beside the declaration. */
  function previousPhone() {
    var section = $("previous-phone");
    var send = $("send-previous");
    if (!section || !send) {
      return;
    }
    send.addEventListener("click", function () {
      $("previous_phone_code-error").textContent = "";
      $("previous_phone_code").removeAttribute("aria-invalid");
      $("send-previous-note").textContent = "";
      $("id_number-error").textContent = "";
      if (!checkCommon(["id_number"])) {
        return;
      }
      askForCode(send, "/sms-codes/recorded-phone", {
        id_type: value("id_type"),
        id_number: value("id_number").toUpperCase(),
      }, "previous_phone_code", "send-previous-note", words.r_prev_sent, "previous_phone_code");
    });
    var forget = function () {  // another ID: the old phone's code no longer applies
      section.hidden = true;
      $("previous_phone_code").value = "";
    };
    $("id_number").addEventListener("change", forget);
    $("id_type").addEventListener("change", forget);
  }

  /* The old phone's code, when the page asks for it (null when it does not). */
  function previousPhoneCode() {
    var section = $("previous-phone");
    return section && !section.hidden ? value("previous_phone_code") : null;
  }

  function askPreviousPhone(answer) {
    if (fieldOf(answer) !== "previous_phone_code") {
      return false;
    }
    var section = $("previous-phone");
    if (section.hidden) {
      section.hidden = false;
      section.scrollIntoView();
      $("send-previous").focus();
    } else {
      fieldError("previous_phone_code", words.r_err_previous_phone_code_wrong);
      $("previous_phone_code").focus();
    }
    $("form-error").textContent = words.r_prev_needed;
    return true;
  }

  // ------------------------------------------------------------------ the code

  var clockTimer = null;
  var refreshTimer = null;

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function stamp(date, seconds) {
    var text = date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      " " + pad(date.getHours()) + ":" + pad(date.getMinutes());
    return seconds ? text + ":" + pad(date.getSeconds()) : text;
  }

  function showCode(code) {
    var section = $("code");
    var colour = ["green", "yellow", "red"].indexOf(code.colour) >= 0 ? code.colour : "red";
    section.hidden = false;
    document.querySelectorAll("main > .hint").forEach(function (hint) {
      hint.hidden = true; // the form's hint, not the code's
    });
    $("frame").className = "frame " + colour;
    $("colour-word").textContent = words[colour];
    $("colour-advice").textContent = words["r_colour_" + colour];
    $("qr").innerHTML = code.svg || "";
    $("who").textContent = code.masked_name;
    $("until").textContent = stamp(new Date(code.expires_at), false);
    $("refreshed").textContent = stamp(new Date(), true);
    var tick = function () {
      $("clock").textContent = stamp(new Date(), true);
    };
    tick();
    clearInterval(clockTimer);
    clockTimer = setInterval(tick, 1000);
    clearInterval(refreshTimer);
    refreshTimer = setInterval(refreshCode, refreshEveryMs);
  }

  function refreshCode() {
    var token = sessionStorage.getItem(TOKEN);
    if (!token) {
      return Promise.resolve(false);
    }
    return call("/code/refresh", {}, token).then(function (answer) {
      if (answer.ok) {
        showCode(answer.data);
        return true;
      }
      if (answer.status === 401) {
        sessionStorage.removeItem(TOKEN);
        return false;
      }
      return true; // offline for now: the code shown stays, the next refresh tries again
    });
  }

  function keep(issued) {
    if (issued.holder_token) {
      sessionStorage.setItem(TOKEN, issued.holder_token);
    }
    showCode(issued.code);
  }

  function refreshButton() {
    var button = $("refresh");
    if (button) {
      button.addEventListener("click", refreshCode);
    }
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && !$("code").hidden) {
        refreshCode();
      }
    });
  }

  // ------------------------------------------------------------------ the pages

  function checked(name) {
    return Array.prototype.map.call(
      document.querySelectorAll("input[name=" + name + "]:checked"),
      function (box) {
        return box.value;
      }
    );
  }

  function declarePage() {
    var form = $("form");
    refreshCode().then(function (shown) {
      form.hidden = shown; // declared in this tab already: the code, refreshed
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      var fine = checkCommon(["id_number", "phone", "sms_code", "temperature_celsius"]);
      if (!value("full_name")) {
        fine = fieldError("full_name", words.r_err_full_name) && false;
      }
      if (!value("residence")) {
        fine = fieldError("residence", words.r_err_residence) && false;
      }
      var travel = [];
      var day = value("travel_day");
      if ((value("travel_area") || $("abroad").checked) && !day) {
        fine = fieldError("travel", words.r_err_travel) && false;
      }
      if (day && $("abroad").checked) {
        travel.push({ abroad: true, last_day: day });
      }
      if (day && value("travel_area")) {
        travel.push({ area: value("travel_area"), last_day: day });
      }
      var previousCode = previousPhoneCode();
      if (previousCode !== null && !/^\d{4,8}$/.test(previousCode)) {
        fine = fieldError("previous_phone_code", words.r_err_previous_phone_code) && false;
      }
      if (!fine) {
        $("form-error").textContent = words.r_err_check;
        return;
      }
      $("submit").disabled = true;
      call("/declarations", {
        full_name: value("full_name"),
        id_type: value("id_type"),
        id_number: value("id_number").toUpperCase(),
        holder: value("holder"),
        phone: value("phone"),
        sms_code: value("sms_code"),
        residence: value("residence"),
        workplace: value("workplace") || null,
        travel: travel,
        symptoms: checked("symptom"),
        contacts: checked("contact"),
        temperature_celsius: temperature(),
        previous_phone_code: previousCode,
      }).then(function (answer) {
        $("submit").disabled = false;
        if (answer.ok) {
          form.hidden = true;
          keep(answer.data);
          $("code").scrollIntoView();
        } else if (!askPreviousPhone(answer)) {
          showRefusal(answer);
        }
      });
    });
  }

  function myCodePage() {
    var form = $("look-up");
    refreshCode().then(function (shown) {
      form.hidden = shown;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      if (!checkCommon(["id_number", "phone", "sms_code"])) {
        $("form-error").textContent = words.r_err_check;
        return;
      }
      $("submit").disabled = true;
      call("/code/look-up", {
        id_type: value("id_type"),
        id_number: value("id_number").toUpperCase(),
        phone: value("phone"),
        sms_code: value("sms_code"),
      }).then(function (answer) {
        $("submit").disabled = false;
        if (answer.ok) {
          form.hidden = true;
          keep(answer.data);
        } else {
          showRefusal(answer, words.r_err_sms_code_wrong);
        }
      });
    });
  }

  function checkInPage() {
    var form = $("check-in");
    var token = sessionStorage.getItem(TOKEN);
    if (!token) {
      $("need-code").hidden = false;
      return;
    }
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      if (!checkCommon(["temperature_celsius"])) {
        $("form-error").textContent = words.r_err_check;
        return;
      }
      var symptoms = checked("symptom");
      $("submit").disabled = true;
      call("/check-ins", {
        temperature_celsius: temperature(),
        cough: symptoms.indexOf("dry_cough") >= 0,
        symptoms: symptoms,
      }, token).then(function (answer) {
        $("submit").disabled = false;
        if (answer.ok) {
          form.hidden = true;
          $("checked").hidden = false;
          var colour = answer.data.colour;
          $("checked-word").textContent = words.r_checked_in +
            (colour ? " · " + words[colour] : "");
          $("checked").className = "checked " + (colour || "");
        } else if (answer.status === 401) {
          sessionStorage.removeItem(TOKEN);
          form.hidden = true;
          $("need-code").hidden = false;
        } else {
          showRefusal(answer);
        }
      });
    });
  }

  smsButton();
  if ($("code")) {
    refreshButton();
  }
  if (page === "declare") {
    previousPhone();
    declarePage();
  } else if (page === "my-code") {
    myCodePage();
  } else if (page === "check-in") {
    checkInPage();
  }
})();
