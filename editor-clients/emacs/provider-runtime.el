;;; provider-runtime.el --- LLM prompts through the provider-runtime daemon  -*- lexical-binding: t; -*-

;; Author: provider-runtime contributors
;; Maintainer: provider-runtime contributors
;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1") (jsonrpc "1.0.9"))
;; Keywords: tools, convenience
;; URL: https://github.com/provider-runtime/provider-runtime
;; SPDX-License-Identifier: MIT

;; This file is not part of GNU Emacs.

;;; Commentary:

;; Send the region or buffer to a model, list models and browse the price catalog through the
;; local `provider-runtime serve' daemon, spoken to with the built-in jsonrpc.el.  This package
;; holds no keys: the daemon reads the shared config file (~/.config/provider-runtime/config.toml).
;;
;; Commands: `provider-runtime-run', `provider-runtime-cancel', `provider-runtime-models',
;; `provider-runtime-select-model', `provider-runtime-catalog', `provider-runtime-stop'.
;;
;; jsonrpc.el details handled here: method names are sent as symbols (a string would go out
;; as null); requests get our own timeouts (its default of 10 s is too short for a model
;; call); calls without params send null, which the daemon accepts; and `jsonrpc-shutdown'
;; kills the process, so shutdown and exit are sent first and the process is let go.

;;; Code:

(require 'cl-lib)
(require 'jsonrpc)
(require 'seq)
(require 'subr-x)

(defgroup provider-runtime nil
  "LLM calls through the provider-runtime daemon."
  :group 'tools
  :prefix "provider-runtime-")

(defcustom provider-runtime-command '("provider-runtime" "serve")
  "The daemon command and its arguments.
Add \"--config\" and a path to use a config file other than the shared one."
  :type '(repeat string))

(defcustom provider-runtime-model nil
  "The model runs use, as \"provider/model\"; nil means the config's default_model."
  :type '(choice (const :tag "The config's default" nil) string))

(defcustom provider-runtime-system-prompt nil
  "A system prompt sent before the text, or nil."
  :type '(choice (const nil) string))

(defcustom provider-runtime-request-timeout 600
  "Seconds a run may take before it is cancelled.  Model calls can take minutes."
  :type 'number)

(defcustom provider-runtime-quick-timeout 30
  "Seconds for the quick calls: initialize, models, catalog, shutdown."
  :type 'number)

(define-error 'provider-runtime-error "provider-runtime error")

(defconst provider-runtime--cancelled -32800)

(defconst provider-runtime--kind-of-code
  '((-32700 . "parse_error") (-32600 . "invalid_request") (-32601 . "method_not_found")
    (-32602 . "invalid_params") (-32603 . "internal") (-32800 . "cancelled")
    (-32001 . "config") (-32002 . "routing") (-1 . "daemon"))
  "Kinds of the errors that carry no data.
JSON-RPC's own codes, cancellation, and jsonrpc.el's -1 for a dead daemon.")

(defvar provider-runtime--connection nil "The live `jsonrpc-process-connection', or nil.")
(defvar provider-runtime--info nil "The daemon's `initialize' result (a plist).")
(defvar provider-runtime--runs nil "Ids of the runs in flight started by `provider-runtime-run'.")
(defvar provider-runtime--cancelled-ids nil "Ids whose cancellation was asked for.")

;;;; Errors

(defun provider-runtime--value (value)
  "VALUE with JSON false as nil."
  (if (eq value :json-false) nil value))

(defun provider-runtime-normalize-error (error)
  "The JSON-RPC ERROR object (a plist) as a flat plist.
Keys: :code :message :kind :retryable :provider :status :retry-after
:candidates :data."
  (let* ((code (plist-get error :code))
         (data (and (listp (plist-get error :data)) (plist-get error :data))))
    (list :code code
          :message (or (plist-get error :message) "unknown error")
          :kind (or (plist-get data :kind)
                    (cdr (assq code provider-runtime--kind-of-code))
                    "unknown")
          :retryable (and (provider-runtime--value (plist-get data :retryable)) t)
          :provider (plist-get data :provider)
          :status (plist-get data :status)
          :retry-after (plist-get data :retry_after)
          :candidates (append (plist-get data :candidates) nil)
          :data data)))

(defun provider-runtime--local-error (kind message)
  "A normalized error of KIND with MESSAGE raised on this side of the pipe."
  (list :code -32603 :message message :kind kind :retryable nil))

(defun provider-runtime--number (n)
  "N without a trailing .0 when it is whole."
  (if (and (floatp n) (= n (ffloor n))) (format "%d" (truncate n)) (format "%s" n)))

(defun provider-runtime-format-error (err)
  "ERR, a normalized error, as one line.
The kind first, then what to do about it, then the daemon's message."
  (if (equal (plist-get err :kind) "cancelled")
      "provider-runtime: cancelled"
    (let* ((retry (plist-get err :retry-after))
           (facts (delq nil
                        (list (when-let ((p (plist-get err :provider))) (format "provider %s" p))
                              (when-let ((s (plist-get err :status))) (format "HTTP %s" s))
                              (when (plist-get err :retryable)
                                (if retry
                                    (format "retryable after %ss" (provider-runtime--number retry))
                                  "retryable")))))
           (candidates (plist-get err :candidates)))
      (format "provider-runtime %s error%s: %s%s"
              (plist-get err :kind)
              (if facts (format " (%s)" (string-join facts ", ")) "")
              (plist-get err :message)
              (if candidates (format " (candidates: %s)" (string-join candidates ", ")) "")))))

;;;; The connection

(defun provider-runtime--method (method)
  "METHOD as the symbol jsonrpc.el needs (it sends a string as null)."
  (if (stringp method) (intern method) method))

(defun provider-runtime--live-p ()
  "Non-nil when the daemon is running."
  (and provider-runtime--connection (jsonrpc-running-p provider-runtime--connection)))

(defun provider-runtime--spawn ()
  "Start the daemon process and wrap it in a jsonrpc connection."
  (let* ((name "provider-runtime")
         (command provider-runtime-command))
    (unless (executable-find (car command))
      (signal 'provider-runtime-error
              (list (provider-runtime--local-error
                     "daemon" (format "cannot start `%s': not found (set provider-runtime-command)"
                                      (string-join command " "))))))
    (make-instance
     'jsonrpc-process-connection
     :name name
     :events-buffer-scrollback-size 0
     :notification-dispatcher #'provider-runtime--on-notification
     :process (lambda ()
                (make-process
                 :name name
                 :command command
                 :connection-type 'pipe
                 :coding 'utf-8-emacs-unix
                 :noquery t
                 ;; jsonrpc.el expects exactly this buffer name for stderr.
                 :stderr (get-buffer-create (format "*%s stderr*" name)))))))

(defun provider-runtime--on-notification (_connection method params)
  "Show the daemon's warnings (window/logMessage); METHOD and PARAMS as sent."
  (when (eq method 'window/logMessage)
    (message "provider-runtime: %s" (plist-get params :message))))

(defun provider-runtime-connection ()
  "The running daemon's connection, started and initialized on first use."
  (unless (provider-runtime--live-p)
    (setq provider-runtime--connection (provider-runtime--spawn)
          provider-runtime--runs nil
          provider-runtime--cancelled-ids nil)
    (condition-case err
        (setq provider-runtime--info
              (provider-runtime-request 'initialize '(:clientInfo (:name "emacs"))
                                        provider-runtime-quick-timeout))
      (provider-runtime-error
       (provider-runtime-stop)
       (signal (car err) (cdr err))))
    (when-let ((config-error (plist-get provider-runtime--info :configError)))
      (message "%s" (provider-runtime-format-error
                     (provider-runtime-normalize-error config-error)))))
  provider-runtime--connection)

(cl-defun provider-runtime-async-request (method params &key on-success on-error timeout)
  "Send METHOD with PARAMS; return the request id.
ON-SUCCESS gets the result, ON-ERROR a normalized error.  TIMEOUT (seconds,
default `provider-runtime-request-timeout') cancels the call in the daemon."
  (let* ((conn (provider-runtime-connection))
         (id nil)
         (fail (lambda (err)
                 (setq provider-runtime--cancelled-ids (delq id provider-runtime--cancelled-ids))
                 (when on-error (funcall on-error err)))))
    (jsonrpc-async-request
     conn (provider-runtime--method method) params
     :success-fn (lambda (result)
                   (setq provider-runtime--cancelled-ids (delq id provider-runtime--cancelled-ids))
                   (when on-success (funcall on-success result)))
     :error-fn (lambda (error) (funcall fail (provider-runtime-normalize-error error)))
     :timeout-fn (lambda ()
                   (provider-runtime--send-cancel id)
                   (funcall fail (provider-runtime--local-error
                                  "timeout" (format "%s: no answer within %ss" method
                                                    (or timeout provider-runtime-request-timeout)))))
     :timeout (or timeout provider-runtime-request-timeout))
    ;; jsonrpc-async-request returns nil; the id it just used is the connection's counter.
    (setq id (jsonrpc--next-request-id conn))
    id))

(defun provider-runtime-request (method params &optional timeout)
  "Send METHOD with PARAMS and wait for the result (TIMEOUT seconds).
Signals `provider-runtime-error' with a normalized error.  Quitting (\\[keyboard-quit])
cancels the call in the daemon."
  (let* ((done nil) (result nil) (failure nil)
         (id (provider-runtime-async-request
              method params
              :on-success (lambda (r) (setq done t result r))
              :on-error (lambda (e) (setq done t failure e))
              :timeout (or timeout provider-runtime-request-timeout))))
    (unwind-protect
        (while (not done)
          (accept-process-output nil 0.05))
      (unless done
        (provider-runtime-cancel-request id)))
    (when failure
      (signal 'provider-runtime-error (list failure)))
    result))

(defun provider-runtime--send-cancel (id)
  "Send $/cancelRequest for ID if the daemon still runs."
  (when (provider-runtime--live-p)
    (jsonrpc-notify provider-runtime--connection '$/cancelRequest (list :id id))))

(defun provider-runtime-cancel-request (id)
  "Ask the daemon to cancel request ID.
Its error handler then gets a `cancelled' error."
  (unless (memq id provider-runtime--cancelled-ids)
    (push id provider-runtime--cancelled-ids)
    (provider-runtime--send-cancel id)
    t))

;;;###autoload
(defun provider-runtime-stop ()
  "Send shutdown then exit, wait for the daemon to end, and clean up.
Returns its exit status."
  (interactive)
  (let ((conn provider-runtime--connection)
        (status nil))
    (when conn
      (let ((proc (jsonrpc--process conn)))
        (when (process-live-p proc)
          (ignore-errors (provider-runtime-request 'shutdown nil provider-runtime-quick-timeout))
          (ignore-errors (jsonrpc-notify conn 'exit nil))
          (with-timeout (5 nil)
            (while (process-live-p proc)
              (accept-process-output proc 0.05))))
        (when (memq (process-status proc) '(exit signal))
          (setq status (process-exit-status proc)))
        ;; Only now: jsonrpc-shutdown deletes the process if it still lives.
        (jsonrpc-shutdown conn t)))
    (setq provider-runtime--connection nil
          provider-runtime--info nil
          provider-runtime--runs nil)
    status))

(add-hook 'kill-emacs-hook (lambda () (ignore-errors (provider-runtime-stop))))

;;;; Rendering

(defun provider-runtime-format-cost (response)
  "The cost of RESPONSE as text, or why there is none.
Money stays the daemon's decimal string."
  (let ((cost (plist-get response :cost)))
    (if (null cost)
        "cost: unknown"
      (format "cost: $%s %s (%s%s)" (plist-get cost :total) (plist-get cost :currency)
              (plist-get cost :source)
              (if (eq (plist-get cost :partial) t)
                  (format ", partial: no price for %s"
                          (string-join (append (plist-get cost :missing_components) nil) ", "))
                "")))))

(defun provider-runtime-format-usage (response)
  "Tokens in and out of RESPONSE, and its cost."
  (let* ((usage (plist-get response :usage))
         (cached (or (plist-get usage :cache_read_tokens) 0)))
    (format "usage: %d in%s / %d out · %s"
            (plist-get usage :input_tokens)
            (if (> cached 0) (format " (%d cached)" cached) "")
            (plist-get usage :output_tokens)
            (provider-runtime-format-cost response))))

(defun provider-runtime-format-warnings (warnings)
  "WARNINGS (a vector of plists) as lines."
  (mapcar (lambda (w) (format "warning [%s]: %s" (plist-get w :code) (plist-get w :message)))
          warnings))

(defun provider-runtime-format-response (response)
  "RESPONSE as text: the answer, tool calls, then model, usage, cost and warnings."
  (let ((parts nil))
    (seq-doseq (part (plist-get (plist-get response :output) :content))
      (pcase (plist-get part :type)
        ("text" (push (concat (plist-get part :text) "\n") parts))
        ("tool_call"
         (push (format "tool call `%s' (%s): %s\n" (plist-get part :name) (plist-get part :id)
                       (or (plist-get part :raw_arguments)
                           (json-serialize (or (plist-get part :arguments) (make-hash-table)))))
               parts))
        ("reasoning"
         (when-let ((text (plist-get part :text)))
           (unless (string-empty-p text)
             (push (concat "> " (replace-regexp-in-string "\n" "\n> " text) "\n") parts))))))
    (concat (string-join (nreverse parts) "\n")
            "\n---\n"
            (format "model: %s/%s · finish: %s\n" (plist-get response :provider)
                    (plist-get response :model) (plist-get response :finish_reason))
            (provider-runtime-format-usage response) "\n"
            (mapconcat (lambda (line) (concat line "\n"))
                       (provider-runtime-format-warnings (plist-get response :warnings)) ""))))

(defun provider-runtime-format-model (model)
  "MODEL as \"provider/id  32768 ctx  $in/$out per Mtok  Name\"."
  (let* ((pricing (plist-get model :pricing))
         (in (plist-get pricing :input))
         (out (plist-get pricing :output))
         (ctx (plist-get model :context_window))
         (name (plist-get model :display_name)))
    (format "%s/%s  %s  %s%s" (plist-get model :provider) (plist-get model :id)
            (if ctx (format "%d ctx" ctx) "ctx ?")
            (if (or in out) (format "$%s/$%s per Mtok" (or in "?") (or out "?")) "price unknown")
            (if name (concat "  " name) ""))))

(define-derived-mode provider-runtime-answer-mode special-mode "provider-runtime"
  "Answers, model lists and the catalog from provider-runtime.")

(defconst provider-runtime-buffer-name "*provider-runtime*")

(defun provider-runtime--show (text)
  "Replace the provider-runtime buffer's contents with TEXT and display it."
  (with-current-buffer (get-buffer-create provider-runtime-buffer-name)
    (unless (derived-mode-p 'provider-runtime-answer-mode)
      (provider-runtime-answer-mode))
    (let ((inhibit-read-only t))
      (erase-buffer)
      (insert text)
      (goto-char (point-min)))
    (display-buffer (current-buffer))
    (current-buffer)))

;;;; Commands

(defun provider-runtime-current-model ()
  "The model runs use: `provider-runtime-model', else the config's default_model."
  (or provider-runtime-model
      (progn (provider-runtime-connection)
             (plist-get provider-runtime--info :defaultModel))))

(defun provider-runtime--report (err)
  "Show ERR, a normalized error, in the buffer and the echo area."
  (let ((text (provider-runtime-format-error err)))
    (provider-runtime--show (concat text "\n"))
    (message "%s" text)))

;;;###autoload
(defun provider-runtime-run (instruction &optional start end)
  "Send the region (or the whole buffer) to the model, after INSTRUCTION.
START and END delimit the text; an empty INSTRUCTION sends the text alone.
The answer, usage, cost and warnings go to the *provider-runtime* buffer.
Returns the request id; `provider-runtime-cancel' cancels the run."
  (interactive
   (list (read-string "Instruction (optional): ")
         (if (use-region-p) (region-beginning) (point-min))
         (if (use-region-p) (region-end) (point-max))))
  (let* ((text (buffer-substring-no-properties (or start (point-min)) (or end (point-max))))
         (prompt (if (and instruction (not (string-empty-p instruction)))
                     (concat instruction "\n\n" text)
                   text)))
    (if (string-blank-p prompt)
        (user-error "provider-runtime: nothing to send (the text is empty)")
      (condition-case err
          (let* ((model (or (provider-runtime-current-model)
                            (user-error "provider-runtime: no model (set provider-runtime-model)")))
                 (messages (vconcat (when provider-runtime-system-prompt
                                      (list (list :role "system" :content provider-runtime-system-prompt)))
                                    (list (list :role "user" :content prompt))))
                 (id nil))
            (provider-runtime--show (format "running %s ... (M-x provider-runtime-cancel to cancel)\n" model))
            (setq id (provider-runtime-async-request
                      'runtime/run (list :model model :messages messages)
                      :on-success (lambda (response)
                                    (setq provider-runtime--runs (delq id provider-runtime--runs))
                                    (provider-runtime--show (provider-runtime-format-response response))
                                    (dolist (line (provider-runtime-format-warnings
                                                   (plist-get response :warnings)))
                                      (message "provider-runtime: %s" line)))
                      :on-error (lambda (err)
                                  (setq provider-runtime--runs (delq id provider-runtime--runs))
                                  (provider-runtime--report err))))
            (push id provider-runtime--runs)
            id)
        (provider-runtime-error (provider-runtime--report (cadr err)) nil)))))

;;;###autoload
(defun provider-runtime-cancel ()
  "Cancel the runs in flight.  Returns how many were cancelled."
  (interactive)
  (let ((count 0))
    (dolist (id provider-runtime--runs)
      (when (provider-runtime-cancel-request id)
        (cl-incf count)))
    (message "provider-runtime: cancelling %d run(s)" count)
    count))

(defun provider-runtime-list-models (&optional providers)
  "The models (a list of plists) of PROVIDERS (a list of ids; nil: all)."
  (let ((result (provider-runtime-request
                 'runtime/models (and providers (list :providers (vconcat providers)))
                 provider-runtime-quick-timeout)))
    (dolist (line (provider-runtime-format-warnings (plist-get result :warnings)))
      (message "provider-runtime: %s" line))
    (append (plist-get result :models) nil)))

;;;###autoload
(defun provider-runtime-models (&optional providers)
  "Show the models of PROVIDERS (ids separated by spaces; empty: all) with prices."
  (interactive (list (split-string (read-string "Providers (empty: all): "))))
  (condition-case err
      (provider-runtime--show
       (mapconcat (lambda (m) (concat (provider-runtime-format-model m) "\n"))
                  (provider-runtime-list-models providers) ""))
    (provider-runtime-error (provider-runtime--report (cadr err)))))

;;;###autoload
(defun provider-runtime-select-model (model)
  "Set `provider-runtime-model' to MODEL, chosen from the catalog."
  (interactive
   (list (completing-read "Model: "
                          (mapcar (lambda (m) (format "%s/%s" (plist-get m :provider) (plist-get m :id)))
                                  (provider-runtime-list-models))
                          nil t nil nil (provider-runtime-current-model))))
  (setq provider-runtime-model model)
  (message "provider-runtime model: %s" model)
  model)

;;;###autoload
(defun provider-runtime-catalog ()
  "Show the catalog: its snapshot, then one model per line as JSON."
  (interactive)
  (condition-case err
      (let ((catalog (provider-runtime-request 'runtime/catalog nil provider-runtime-quick-timeout)))
        (provider-runtime--show
         (concat (format "snapshot: %s\n" (plist-get catalog :snapshot))
                 (mapconcat (lambda (m) (concat (provider-runtime-format-model m) "\n"))
                            (plist-get catalog :models) ""))))
    (provider-runtime-error (provider-runtime--report (cadr err)))))

(provide 'provider-runtime)
;;; provider-runtime.el ends here
