;;; provider-runtime-test.el --- ERT suite against the real daemon  -*- lexical-binding: t; -*-

;;; Commentary:

;; emacs -Q --batch -L editor-clients/emacs -l editor-clients/emacs/test/provider-runtime-test.el \
;;   -f ert-run-tests-batch-and-exit
;; The daemon is PROVIDER_RUNTIME_CMD (split at spaces), default the repo's
;; .venv/bin/provider-runtime; a private config prices echo-1 at $1 per input token and $2 per
;; output token (exact costs); echo-lite keeps its catalog price of $0, and echo/echo-unpriced
;; (an id echo answers but does not list) has no price.

;;; Code:

(require 'ert)
(require 'cl-lib)

(defconst provider-runtime-test--dir
  (file-name-directory (or load-file-name buffer-file-name)))
(defconst provider-runtime-test--repo
  (expand-file-name "../../.." provider-runtime-test--dir))

(add-to-list 'load-path (expand-file-name ".." provider-runtime-test--dir))
(require 'provider-runtime)

;; In batch the whole suite may not hang: a stuck wait still runs timers.
(when noninteractive
  (run-with-timer 60 nil (lambda ()
                           (message "emacs suite: timed out after 60 s")
                           (kill-emacs 3))))

(defconst provider-runtime-test--config
  (let ((file (make-temp-file "provider-runtime-" nil ".toml")))
    (with-temp-file file
      (insert "default_model = \"echo/echo-1\"\n\n"
              "[[pricing]]\nprovider = \"echo\"\nmodel = \"echo-1\"\n"
              "pricing = { input = \"1000000\", output = \"2000000\" }\n"))
    file))
(setenv "PROVIDER_RUNTIME_CONFIG" provider-runtime-test--config)
(add-hook 'kill-emacs-hook (lambda () (ignore-errors (delete-file provider-runtime-test--config))))

(defconst provider-runtime-test--command
  (append (split-string (or (let ((cmd (getenv "PROVIDER_RUNTIME_CMD")))
                              (and cmd (not (string-empty-p cmd)) cmd))
                            (expand-file-name ".venv/bin/provider-runtime" provider-runtime-test--repo)))
          '("serve")))
(setq provider-runtime-command provider-runtime-test--command)

(defconst provider-runtime-test--weather-tool
  (list :name "get_weather"
        :description "Current weather for a city"
        :parameters (list :type "object"
                          :properties (list :city (list :type "string"))
                          :required ["city"])))

(defun provider-runtime-test--run (content &rest extra)
  "Run CONTENT on echo-1; EXTRA adds request fields.
Returns the response or signals the error."
  (provider-runtime-request
   'runtime/run
   (append (list :model (or (plist-get extra :model) "echo/echo-1")
                 :messages (vector (list :role "user" :content content)))
           (cl-loop for (k v) on extra by #'cddr unless (eq k :model) append (list k v)))
   10))

(defun provider-runtime-test--error (content &rest extra)
  "The normalized error of running CONTENT.
EXTRA as in `provider-runtime-test--run'."
  (condition-case err
      (progn (apply #'provider-runtime-test--run content extra)
             (ert-fail "the call succeeded"))
    (provider-runtime-error (cadr err))))

(defun provider-runtime-test--buffer-text ()
  "The *provider-runtime* buffer's text."
  (with-current-buffer provider-runtime-buffer-name
    (buffer-substring-no-properties (point-min) (point-max))))

(defun provider-runtime-test--wait-answer ()
  "Wait until the answer buffer no longer shows the running placeholder."
  (with-timeout (10 (ert-fail "the answer never came"))
    (while (string-prefix-p "running " (provider-runtime-test--buffer-text))
      (accept-process-output nil 0.05)))
  (provider-runtime-test--buffer-text))

(defmacro provider-runtime-test--in-buffer (text &rest body)
  "Run BODY in a temporary buffer holding TEXT."
  (declare (indent 1))
  `(with-temp-buffer
     (insert ,text)
     ,@body))

(ert-deftest provider-runtime-test-initialize ()
  "initialize: server info, the test config, echo needs no credential."
  (provider-runtime-connection)
  (let ((info provider-runtime--info))
    (should (equal (plist-get (plist-get info :serverInfo) :name) "provider-runtime"))
    (should (equal (plist-get info :configPath) provider-runtime-test--config))
    (should (equal (plist-get info :defaultModel) "echo/echo-1"))
    (should (equal (plist-get (seq-find (lambda (p) (equal (plist-get p :id) "echo"))
                                        (plist-get info :providers))
                              :credential)
                   "none"))
    (should (equal (provider-runtime-current-model) "echo/echo-1"))))

(ert-deftest provider-runtime-test-models ()
  "runtime/models lists the echo models."
  (let ((models (provider-runtime-list-models '("echo"))))
    (should (equal (mapcar (lambda (m) (format "%s/%s" (plist-get m :provider) (plist-get m :id))) models)
                   '("echo/echo-1" "echo/echo-lite")))
    (should (eq (plist-get (plist-get (car models) :capabilities) :tools) t))
    (should (eq (plist-get (plist-get (cadr models) :capabilities) :tools) :json-false))
    (should (equal (provider-runtime-format-model (car models))
                   "echo/echo-1  32768 ctx  $1000000/$2000000 per Mtok  Echo 1 (offline)"))
    (should (equal (provider-runtime-format-model (cadr models))
                   "echo/echo-lite  8192 ctx  $0/$0 per Mtok  Echo Lite (offline, text only)"))))

(ert-deftest provider-runtime-test-run-text-priced ()
  "runtime/run answers text (bytes counted right for non-ASCII), priced by the config rule."
  (let* ((r (provider-runtime-test--run "héllo ✓ from emacs"))
         (usage (plist-get r :usage))
         (in (plist-get usage :input_tokens))
         (out (plist-get usage :output_tokens))
         (cost (plist-get r :cost)))
    (should (equal (plist-get r :output) '(:content [(:type "text" :text "echo: héllo ✓ from emacs" :signature nil)])))
    (should (equal (plist-get r :finish_reason) "stop"))
    (should (and (> in 0) (> out 0)))
    (should (= (plist-get usage :total_tokens) (+ in out)))
    (should (equal (plist-get cost :source) "user_config"))
    (should (equal (plist-get cost :input) (number-to-string in)))
    (should (equal (plist-get cost :total) (number-to-string (+ in (* 2 out)))))
    (should (equal (plist-get r :warnings) []))
    (should (equal (provider-runtime-format-usage r)
                   (format "usage: %d in / %d out · cost: $%d USD (user_config)" in out (+ in (* 2 out)))))))

(ert-deftest provider-runtime-test-run-zero-priced ()
  "echo-lite is priced at $0 by the catalog: a cost of 0 and no warning."
  (let* ((r (provider-runtime-test--run "hi" :model "echo/echo-lite"))
         (cost (plist-get r :cost)))
    (should (equal (plist-get cost :total) "0"))
    (should (equal (plist-get cost :source) "catalog"))
    (should (equal (plist-get r :warnings) []))
    (should (equal (provider-runtime-format-usage r) "usage: 5 in / 2 out · cost: $0 USD (catalog)"))))

(ert-deftest provider-runtime-test-run-warned ()
  "An unpriced model (an id echo does not list): cost null and a pricing.missing warning."
  (let* ((r (provider-runtime-test--run "hi" :model "echo/echo-unpriced"))
         (warnings (plist-get r :warnings)))
    (should (null (plist-get r :cost)))
    (should (= (length warnings) 1))
    (should (equal (plist-get (aref warnings 0) :code) "pricing.missing"))
    (should (equal (plist-get (aref warnings 0) :details) '(:provider "echo" :model "echo-unpriced")))
    (should (string-match-p "cost: unknown\nwarning \\[pricing\\.missing\\]: no price known"
                            (provider-runtime-format-response r)))))

(ert-deftest provider-runtime-test-run-tool-call ()
  "A required tool gives a tool call with arguments fitting the schema."
  (let* ((r (provider-runtime-test--run "Paris"
                                        :tools (vector provider-runtime-test--weather-tool)
                                        :tool_choice "required"))
         (content (plist-get (plist-get r :output) :content))
         (call (aref content 0)))
    (should (equal (plist-get r :finish_reason) "tool_calls"))
    (should (= (length content) 1))
    (should (equal (plist-get call :type) "tool_call"))
    (should (equal (plist-get call :name) "get_weather"))
    (should (equal (plist-get call :arguments) '(:city "Paris")))
    (should (string-prefix-p "call_" (plist-get call :id)))
    (should (string-match-p "\\`tool call `get_weather' (call_[0-9a-f]+): {\"city\":\"Paris\"}"
                            (provider-runtime-format-response r)))))

(ert-deftest provider-runtime-test-catalog ()
  "runtime/catalog: a snapshot and the models sorted by provider and id."
  (let* ((catalog (provider-runtime-request 'runtime/catalog nil 10))
         (models (append (plist-get catalog :models) nil))
         (keys (mapcar (lambda (m) (concat (plist-get m :provider) "\0" (plist-get m :id))) models)))
    (should (string-prefix-p "genai-prices " (plist-get catalog :snapshot)))
    (should (> (length models) 100))
    (should (equal keys (sort (copy-sequence keys) #'string<)))
    (dolist (p '("anthropic" "echo" "openai" "openrouter"))
      (should (seq-find (lambda (m) (equal (plist-get m :provider) p)) models)))
    (should (stringp (plist-get (plist-get (seq-find (lambda (m) (plist-get m :pricing)) models)
                                           :pricing)
                                :input)))))

(ert-deftest provider-runtime-test-routing-error ()
  "An unknown provider is a routing error."
  (let ((err (provider-runtime-test--error "hi" :model "nope/x")))
    (should (equal (list (plist-get err :code) (plist-get err :kind) (plist-get err :retryable))
                   '(-32002 "routing" nil)))
    (should (string-prefix-p "provider-runtime routing error: unknown provider `nope`"
                             (provider-runtime-format-error err)))))

(ert-deftest provider-runtime-test-provider-error ()
  "A provider error keeps kind, status, retryable and retry_after."
  (let ((err (provider-runtime-test--error "/error rate_limited slow down")))
    (should (equal (list (plist-get err :code) (plist-get err :kind) (plist-get err :provider)
                         (plist-get err :status) (plist-get err :retryable) (plist-get err :retry-after))
                   '(-32013 "rate_limited" "echo" 429 t 1.0)))
    (should (equal (provider-runtime-format-error err)
                   (concat "provider-runtime rate_limited error (provider echo, HTTP 429, retryable "
                           "after 1s): echo: rate_limited (HTTP 429): slow down")))))

(ert-deftest provider-runtime-test-invalid-params ()
  "Missing messages: invalid_params naming the field."
  (let ((err (condition-case e (provider-runtime-request 'runtime/run '(:model "echo/echo-1") 10)
               (provider-runtime-error (cadr e)))))
    (should (equal (list (plist-get err :code) (plist-get err :kind)) '(-32602 "invalid_params")))
    (should (string-match-p "messages" (plist-get err :message)))))

(ert-deftest provider-runtime-test-string-method-and-null-params ()
  "A method given as a string still goes out by name; null params are accepted."
  (let ((models (plist-get (provider-runtime-request "runtime/models" nil 10) :models)))
    (should (> (length models) 100))))

(ert-deftest provider-runtime-test-cancel ()
  "Cancelling: the daemon answers -32800 quickly and keeps serving."
  (let* ((done nil) (failure nil)
         (start (float-time))
         (id (provider-runtime-async-request
              'runtime/run '(:model "echo/echo-1" :messages [(:role "user" :content "/sleep 30 too slow")])
              :on-success (lambda (_) (setq done t))
              :on-error (lambda (e) (setq done t failure e)))))
    (accept-process-output nil 0.2)
    (should (provider-runtime-cancel-request id))
    (with-timeout (10 (ert-fail "no answer after cancel"))
      (while (not done) (accept-process-output nil 0.05)))
    (should (equal (list (plist-get failure :code) (plist-get failure :kind)) '(-32800 "cancelled")))
    (should (< (- (float-time) start) 10))
    (should (equal (provider-runtime-format-error failure) "provider-runtime: cancelled"))
    (should (equal (plist-get (provider-runtime-test--run "still here") :output)
                   '(:content [(:type "text" :text "echo: still here" :signature nil)])))))

(ert-deftest provider-runtime-test-timeout-cancels ()
  "Our own timeout (not jsonrpc's 10 s) bounds a call and cancels it in the daemon."
  (let ((err (condition-case e
                 (provider-runtime-request
                  'runtime/run '(:model "echo/echo-1" :messages [(:role "user" :content "/sleep 30 x")]) 0.5)
               (provider-runtime-error (cadr e)))))
    (should (equal (plist-get err :kind) "timeout"))
    (should (string-match-p "no answer within 0.5s" (plist-get err :message)))))

(ert-deftest provider-runtime-test-concurrent ()
  "Concurrent runs each get their own answer."
  (let ((answers (make-vector 8 nil)))
    (dotimes (i 8)
      (let ((i i))
        (provider-runtime-async-request
         'runtime/run (list :model "echo/echo-1"
                            :messages (vector (list :role "user"
                                                    :content (format "/sleep %.2f n%d" (/ (- 8 i) 50.0) i))))
         :on-success (lambda (r) (aset answers i (plist-get (aref (plist-get (plist-get r :output) :content) 0) :text)))
         :on-error (lambda (e) (aset answers i (provider-runtime-format-error e))))))
    (with-timeout (10 (ert-fail "not all answered"))
      (while (memq nil (append answers nil)) (accept-process-output nil 0.05)))
    (dotimes (i 8)
      (should (equal (aref answers i) (format "echo: n%d" i))))))

(ert-deftest provider-runtime-test-command-run-region ()
  "provider-runtime-run on a region shows answer, usage and cost."
  (provider-runtime-test--in-buffer "first line\nsecond line\nthird line\n"
    (goto-char (point-min))
    (forward-line 1)
    (provider-runtime-run "Summarize" (point) (point-max)))
  (let* ((text (provider-runtime-test--wait-answer))
         (lines (split-string text "\n")))
    (should (string-prefix-p "echo: Summarize\n\nsecond line\nthird line\n" text))
    (should (member "model: echo/echo-1 · finish: stop" lines))
    (let ((usage (seq-find (lambda (l) (string-prefix-p "usage: " l)) lines)))
      (should (string-match "\\`usage: \\([0-9]+\\) in / \\([0-9]+\\) out · cost: \\$\\([0-9]+\\) USD (user_config)\\'" usage))
      (should (= (string-to-number (match-string 3 usage))
                 (+ (string-to-number (match-string 1 usage)) (* 2 (string-to-number (match-string 2 usage)))))))))

(ert-deftest provider-runtime-test-command-run-buffer-warned ()
  "provider-runtime-run on the whole buffer; a warning is shown."
  (let ((provider-runtime-model "echo/echo-unpriced"))
    (provider-runtime-test--in-buffer "whole\nbuffer"
      (provider-runtime-run "")))
  (let ((text (provider-runtime-test--wait-answer)))
    (should (string-prefix-p "echo: whole\nbuffer\n" text))
    (should (string-match-p "^warning \\[pricing\\.missing\\]: no price known for provider `echo` model `echo-unpriced`" text))))

(ert-deftest provider-runtime-test-command-run-error ()
  "provider-runtime-run shows a provider error readably."
  (provider-runtime-test--in-buffer "/error overloaded too busy"
    (provider-runtime-run ""))
  (should (equal (provider-runtime-test--wait-answer)
                 (concat "provider-runtime overloaded error (provider echo, HTTP 529, retryable): "
                         "echo: overloaded (HTTP 529): too busy\n"))))

(ert-deftest provider-runtime-test-command-cancel ()
  "provider-runtime-cancel cancels a running provider-runtime-run."
  (provider-runtime-test--in-buffer "/sleep 30 never"
    (provider-runtime-run ""))
  (should (string-prefix-p "running echo/echo-1 ..." (provider-runtime-test--buffer-text)))
  (accept-process-output nil 0.2)
  (should (= (provider-runtime-cancel) 1))
  (should (equal (provider-runtime-test--wait-answer) "provider-runtime: cancelled\n")))

(ert-deftest provider-runtime-test-command-models-catalog ()
  "provider-runtime-models and provider-runtime-catalog fill the buffer."
  (provider-runtime-models '("echo"))
  (should (equal (provider-runtime-test--buffer-text)
                 (concat "echo/echo-1  32768 ctx  $1000000/$2000000 per Mtok  Echo 1 (offline)\n"
                         "echo/echo-lite  8192 ctx  $0/$0 per Mtok  Echo Lite (offline, text only)\n")))
  (provider-runtime-catalog)
  (let ((lines (split-string (provider-runtime-test--buffer-text) "\n" t)))
    (should (string-prefix-p "snapshot: genai-prices " (car lines)))
    (should (> (length lines) 100))
    (should (member "echo/echo-1  32768 ctx  $0/$0 per Mtok  Echo 1 (offline)" lines))))

(ert-deftest provider-runtime-test-select-model ()
  "provider-runtime-select-model sets the model runs use."
  (let ((provider-runtime-model nil))
    (provider-runtime-select-model "echo/echo-lite")
    (should (equal (provider-runtime-current-model) "echo/echo-lite"))))

(ert-deftest provider-runtime-test-stop ()
  "stop sends shutdown then exit: status 0; the next call starts a new daemon."
  (provider-runtime-connection)
  (let ((proc (jsonrpc--process provider-runtime--connection)))
    (should (equal (provider-runtime-stop) 0))
    (should-not (process-live-p proc))
    (should (null provider-runtime--connection)))
  (should (equal (plist-get (provider-runtime-test--run "again") :output)
                 '(:content [(:type "text" :text "echo: again" :signature nil)]))))

(ert-deftest provider-runtime-test-missing-daemon ()
  "A daemon that cannot start is a readable error."
  (provider-runtime-stop)
  (let* ((provider-runtime-command '("/nonexistent/provider-runtime" "serve"))
         (err (provider-runtime-test--error "hi")))
    (should (equal (plist-get err :kind) "daemon"))
    (should (string-prefix-p "provider-runtime daemon error: cannot start `/nonexistent/provider-runtime serve'"
                             (provider-runtime-format-error err)))))

;;; provider-runtime-test.el ends here
