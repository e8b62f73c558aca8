import Foundation
import Logging
import Sortie
import SortieAccess
import SortieStore

/// The conversation service without HTTP (README, "The conversation service"): every request that can create or change a conversation is decided by
/// the evaluator first, with the facts only the store knows, and the store acts on the decision
/// in the transaction that read those facts. Each method takes a request body and returns the
/// status and JSON body to answer.
public final class ConversationService: Sendable {
    public let policy: PolicyHolder
    public let store: any ConversationStore
    public let decisionLog: DecisionLog?
    let metrics: ServiceMetrics
    let logger: Logger
    /// New ids: `conv-…`, `task-…`, `msg-…`, `cust-…`.
    let makeId: @Sendable (String) -> String
    let now: @Sendable () -> Date
    /// A conversation holding this many messages takes no more (409 `conversation-full`).
    public let maxMessagesPerConversation: Int
    /// Told of every message this service queues, so that the dispatcher pushes it at once.
    public let outboxSignal: OutboxSignal
    /// The channel gateway as the dispatcher last saw it, for `/healthz`.
    public let gatewayStatus: GatewayStatus

    public init(policy: PolicyHolder, store: any ConversationStore, decisionLog: DecisionLog?, metrics: ServiceMetrics,
                logger: Logger = Logger(label: "sortie.service"),
                makeId: @escaping @Sendable (String) -> String = { "\($0)-\(TimeOrderedID.make())" },
                now: @escaping @Sendable () -> Date = Date.init, maxMessagesPerConversation: Int = 10_000,
                outboxSignal: OutboxSignal = OutboxSignal(), gatewayStatus: GatewayStatus = GatewayStatus()) {
        self.maxMessagesPerConversation = maxMessagesPerConversation
        self.outboxSignal = outboxSignal
        self.gatewayStatus = gatewayStatus
        self.policy = policy
        self.store = store
        self.decisionLog = decisionLog
        self.metrics = metrics
        self.logger = logger
        self.makeId = makeId
        self.now = now
    }

    // MARK: Decisions

    /// Counts and logs a decision, returning once its log line is written; answers the
    /// decision's JSON, written once for the log and the reply.
    @discardableResult
    func record(_ decision: Decision, request: Request?, raw: (some Collection<UInt8>)? = [UInt8]?.none, action: Request.Action,
                caller: Caller) async -> [UInt8] {
        metrics.record(decision, action: action)
        let json = decision.jsonBytes
        if let decisionLog {
            await append(DecisionLog.line(caller: caller, request: request, raw: raw.map { String(decoding: $0, as: UTF8.self) }, decision: json,
                                          revision: decision.revision, at: now(), redaction: decisionLog.redaction), to: decisionLog)
        }
        return json
    }

    /// Appends one line to the decision log; a failed write is logged, and the answer still goes out.
    private func append(_ line: [UInt8], to decisionLog: DecisionLog) async {
        if let error = await decisionLog.append(line: line) {
            logger.error("decision log write failed", metadata: ["error": "\(error)", "path": "\(decisionLog.path)"])
        }
    }

    /// The `INVALID_REQUEST` answer: 400 with the decision naming the field.
    func invalid(_ problem: InvalidRequest, locale: String? = nil, evaluator: Evaluator, body: some Collection<UInt8>, action: Request.Action,
                 caller: Caller) async -> ServiceReply {
        let decision = evaluator.decide(problem, locale: locale)
        return .decision(decision, json: await record(decision, request: nil, raw: body, action: action, caller: caller))
    }

    /// 403 `identity-mismatch`: the body names an agent fact the caller's token states.
    func identityMismatch(_ mismatch: RequestBodies.IdentityMismatch) -> ServiceReply {
        .error(403, "identity-mismatch", "\(mismatch.field) \(mismatch.problem)", field: mismatch.field)
    }

    /// `POST /v1/decisions`: the bare evaluator. 200 with the decision (400 when it is `INVALID_REQUEST`).
    public func decide(_ body: [UInt8], caller: Caller = .open) async -> ServiceReply {
        let snapshot = policy.snapshot
        if let reply = await decideFromBytes(body, snapshot, caller: caller) { return reply }
        let evaluator = snapshot.evaluator
        switch Request.decode(json: body) {
        case .success(let request):
            let decision = evaluator.decide(request)
            let json = await record(decision, request: request, action: request.action, caller: caller)
            return ServiceReply(status: decision.reasons.first?.code == .invalidRequest ? 400 : 200, body: Data(json))
        case .failure(let problem):
            let json = await record(evaluator.decide(problem, locale: nil), request: nil, raw: body, action: .start, caller: caller)
            return ServiceReply(status: 400, body: Data(json))
        }
    }

    /// The body decided from bytes to bytes (`LineEvaluator`), its log line written from what
    /// the reader found; nil for the reference path: a body it does not take, or a redacting log
    /// (whose hashes are made from the decoded request).
    private func decideFromBytes(_ body: [UInt8], _ policy: PolicyHolder.Snapshot, caller: Caller) async -> ServiceReply? {
        guard decisionLog?.redaction == nil else { return nil }
        var decision = JSONWriter(capacity: 640)
        var request: JSONWriter? = decisionLog == nil ? nil : JSONWriter(capacity: body.count + 64)
        guard let outcome = body.withUnsafeBufferPointer({ policy.lines.decide(body: $0, decision: &decision, request: &request) }) else { return nil }
        metrics.record(outcome)
        if let decisionLog, let request {
            await append(DecisionLog.line(caller: caller, request: request.bytes, decision: decision.bytes,
                                          revision: policy.evaluator.revision, at: now()), to: decisionLog)
        }
        // Never INVALID_REQUEST: the reader hands every body it cannot read whole to the decoder.
        return ServiceReply(status: 200, body: Data(decision.bytes))
    }

    // MARK: Outbound

    /// `POST /v1/outbound-options`: the options decision with the agent's open tasks from the store.
    public func options(_ body: some Collection<UInt8>, caller: Caller = .open) async -> ServiceReply {
        let evaluator = policy.evaluator
        var object: [String: JSONValue]
        switch RequestBodies.object(body) {
        case .success(let value): object = value
        case .failure(let problem): return await invalid(problem, evaluator: evaluator, body: body, action: .options, caller: caller)
        }
        if let problem = RequestBodies.unknownField(object, allowed: RequestBodies.optionsFields) {
            return await invalid(problem, evaluator: evaluator, body: body, action: .options, caller: caller)
        }
        if let agent = caller.agent, let mismatch = RequestBodies.actingAs(agent, &object) { return identityMismatch(mismatch) }
        var request: Request
        switch RequestBodies.request(object, action: .options) {
        case .success(let value): request = RequestBodies.withIdentity(value, of: caller.agent)
        case .failure(let problem): return await invalid(problem, evaluator: evaluator, body: body, action: .options, caller: caller)
        }
        do {
            request.activeOutbound = try await store.activeOutbound(agentId: request.agent.id)
        } catch {
            return storeUnavailable(error)
        }
        let decision = evaluator.decide(request)
        return .decision(decision, json: await record(decision, request: request, action: .options, caller: caller))
    }

    /// `POST /v1/outbound-conversations`: 201 `{conversation, task, message, decision}`, or the
    /// refusing decision with its status; nothing is written unless the answer is 201. Under an
    /// `idempotencyKey` of this caller (`idempotencyScope`, by default the caller's own scope)
    /// that already created a conversation, the first 201 is answered again for the same body,
    /// 422 `idempotency-key-reused` for another, and nothing is created.
    public func createOutbound(_ body: some Collection<UInt8>, idempotencyKey: String? = nil,
                               idempotencyScope: String? = nil, caller: Caller = .open) async -> ServiceReply {
        var idempotency: IdempotencyKey?
        if let idempotencyKey {
            switch await idempotentStart(key: idempotencyKey, scope: idempotencyScope ?? caller.scope, body: body) {
            case .proceed(let key): idempotency = key
            case .answer(let reply): return reply
            }
        }
        let evaluator = policy.evaluator
        var object: [String: JSONValue]
        switch RequestBodies.object(body) {
        case .success(let value): object = value
        case .failure(let problem): return await invalid(problem, evaluator: evaluator, body: body, action: .start, caller: caller)
        }
        if let problem = RequestBodies.unknownField(object, allowed: RequestBodies.createFields) {
            return await invalid(problem, evaluator: evaluator, body: body, action: .start, caller: caller)
        }
        if let agent = caller.agent, let mismatch = RequestBodies.actingAs(agent, &object) { return identityMismatch(mismatch) }
        let id = RequestBodies.idOf(object)
        var messageInput: RequestBodies.MessageInput?
        if let value = object.removeValue(forKey: "message"), value != .null {
            switch RequestBodies.message(value, id: id) {
            case .success(let input): messageInput = input
            case .failure(let problem): return await invalid(problem, evaluator: evaluator, body: body, action: .start, caller: caller)
            }
        }
        var decoded: Request
        switch RequestBodies.request(object, action: .start) {
        case .success(let value): decoded = RequestBodies.withIdentity(value, of: caller.agent)
        case .failure(let problem): return await invalid(problem, evaluator: evaluator, body: body, action: .start, caller: caller)
        }
        let channel = decoded.channel.flatMap(Channel.init(rawValue:))
        var destination: String?
        if let channel, let to = decoded.to, case .success(let normalized) = Destination.normalize(to, channel: channel) {
            destination = normalized
        }
        var firstMessage: MessageDraft?
        if let messageInput, let channel {
            switch compose(messageInput, channel: channel, subject: decoded.subject, evaluator: evaluator) {
            case .success(let draft): firstMessage = draft
            case .failure(let reply): return reply
            }
        }
        let draft = OutboundDraft(conversationId: makeId("conv"), taskId: makeId("task"), customerId: makeId("cust"),
                                  agentId: decoded.agent.id, channel: channel, destination: destination,
                                  entryPoint: decoded.entryPoint, subject: decoded.subject, firstMessage: firstMessage, now: now(),
                                  idempotency: idempotency, consentScope: evaluator.policy.consent.scope)
        // The service's own clock, never the caller's: contact hours are checked at this moment.
        decoded.at = Self.rfc3339(draft.now)
        let request = decoded
        let outcome: OutboundOutcome
        do {
            outcome = try await store.createOutbound(draft, decide: { facts in
                evaluator.decide(Self.withFacts(request, facts))
            }, answer: { decision, created in
                [UInt8](Self.createdReply(decision, json: decision.jsonBytes, created).body)
            })
        } catch {
            // The store could not be used at all: nothing was written; answer as a failed task creation.
            metrics.storeFailure("unavailable")
            logger.error("create failed: store unavailable", metadata: ["error": "\(error)"])
            let failed = evaluator.serviceFailure(.taskCreationFailed, of: evaluator.decide(request), locale: request.locale)
            return .decision(failed, json: await record(failed, request: request, action: .start, caller: caller))
        }
        switch outcome {
        case .refused(let decision, let facts):
            return .decision(decision, json: await record(decision, request: Self.withFacts(request, facts), action: .start, caller: caller))
        case .failed(let decision, let facts, let error):
            let code: ReasonCode = if case .agentAssignmentFailed = error { .agentAssignmentFailed } else { .taskCreationFailed }
            metrics.storeFailure(code.name)
            logger.error("create rolled back", metadata: ["code": "\(code.name)", "error": "\(error)"])
            let failed = evaluator.serviceFailure(code, of: decision, locale: request.locale)
            return .decision(failed, json: await record(failed, request: Self.withFacts(request, facts), action: .start, caller: caller))
        case .created(let decision, let facts, let created):
            if created.firstMessage != nil { outboxSignal.notify() }
            let json = await record(decision, request: Self.withFacts(request, facts), action: .start, caller: caller)
            return Self.createdReply(decision, json: json, created)
        case .replayed, .keyReused:
            return Self.idempotentReply(outcome)
        }
    }

    /// 201 `{conversation, decision, message?, task}`.
    static func createdReply(_ decision: Decision, json: [UInt8], _ created: CreatedConversation) -> ServiceReply {
        do {
            var members: [(key: String, json: [UInt8])] = [("conversation", try ServiceReply.encode(created.conversation)), ("decision", json)]
            if let message = created.firstMessage { members.append(("message", try ServiceReply.encode(message))) }
            members.append(("task", try ServiceReply.encode(created.task)))
            return .object(201, members)
        } catch {
            return .encodingFailed(error)
        }
    }

    static func withFacts(_ request: Request, _ facts: OutboundFacts) -> Request {
        var request = request
        request.activeOutbound = facts.activeOutbound
        request.destinationActive = facts.destinationActive
        request.subjectUsed = facts.subjectUsed
        request.optedOut = facts.optedOut
        request.recipientTimeZone = facts.recipientTimeZone
        return request
    }

    /// `at` as requests give it: RFC 3339 in UTC, to the second (`2026-12-02T09:30:00Z`).
    static func rfc3339(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// A message from the composer, ready to store: a body as written, or a template of the
    /// channel with every variable it names (422 naming the missing ones). Email messages carry
    /// the conversation's subject.
    func compose(_ input: RequestBodies.MessageInput, channel: Channel, subject: String?, evaluator: Evaluator) -> Result<MessageDraft, ServiceReply> {
        let id = makeId("msg")
        let messageSubject = channel == .email ? subject : nil
        switch input {
        case .body(let body):
            return .success(MessageDraft(id: id, body: body, subject: messageSubject, template: nil))
        case .template(let name, let variables):
            guard let template = evaluator.policy.templates.first(where: { $0.name == name }) else {
                let known = evaluator.policy.templates.filter { $0.channel == channel }.map(\.name).sorted()
                return .failure(.error(422, "unknown-template", "no message template \"\(name)\"" +
                                       (known.isEmpty ? "" : "; \(channel.rawValue) templates: \(known.joined(separator: ", "))"),
                                       field: "message.template"))
            }
            guard template.channel == channel else {
                return .failure(.error(422, "template-channel-mismatch",
                                       "message template \"\(name)\" is for \(template.channel.rawValue), not \(channel.rawValue)",
                                       field: "message.template"))
            }
            let missing = template.variables.filter { variables[$0] == nil }
            guard missing.isEmpty else {
                return .failure(.error(422, "missing-template-variables",
                                       "message template \"\(name)\" needs \(missing.map { "\"\($0)\"" }.joined(separator: ", "))",
                                       field: "message.variables", missing: missing))
            }
            return .success(MessageDraft(id: id, body: MessageTemplate.render(template.body, with: variables),
                                         subject: messageSubject, template: name))
        }
    }

    // MARK: Conversations

    /// `POST /v1/conversations/{id}/messages`: 201 `{message}` queued in the outbox.
    public func sendMessage(conversationId: String, _ body: some Collection<UInt8>, caller: Caller = .open) async -> ServiceReply {
        let input: RequestBodies.MessageInput
        switch RequestBodies.object(body).flatMap({ RequestBodies.message(.object($0), field: "(request)", id: nil) }) {
        case .success(let value): input = value
        case .failure(let problem): return .error(400, "invalid-request", problem.detail, field: problem.field)
        }
        let conversation: ConversationRecord
        switch await find(conversationId, for: caller) {
        case .success(let found): conversation = found
        case .failure(let reply): return reply
        }
        guard conversation.state == .active else { return notActive(conversation) }
        let draft: MessageDraft
        switch compose(input, channel: conversation.channel, subject: conversation.subject, evaluator: policy.evaluator) {
        case .success(let value): draft = value
        case .failure(let reply): return reply
        }
        let evaluator = policy.evaluator
        let request = Self.messageRequest(conversation, caller: caller)
        let outcome: ConversationChange<Decided<MessageRoom<MessageRecord>>>
        do {
            outcome = try await store.appendOutboundMessage(conversationId: conversationId, draft, now: now(),
                                                            maxMessages: maxMessagesPerConversation,
                                                            consentScope: evaluator.policy.consent.scope) { _, optedOut in
                var decided = request
                decided.optedOut = optedOut
                return evaluator.decide(decided)
            }
        } catch {
            return storeUnavailable(error)
        }
        switch outcome {
        case .done(.refused(let decision)):
            var refused = request
            refused.optedOut = true
            return .decision(decision, json: await record(decision, request: refused, action: .message, caller: caller))
        case .done(.allowed(let decision, let room)):
            await record(decision, request: request, action: .message, caller: caller)
            switch room {
            case .appended(let message):
                outboxSignal.notify()
                return .json(201, ["message": message])
            case .full(let full): return conversationFull(full)
            }
        case .notFound: return notFound(conversationId)
        case .notActive(let closed): return notActive(closed)
        }
    }

    /// The `message` action's request for a further message in `conversation`; the store
    /// supplies `optedOut`.
    static func messageRequest(_ conversation: ConversationRecord, caller: Caller) -> Request {
        Request(action: .message, agent: Request.Agent(id: caller.agent?.id ?? conversation.agentId ?? "unassigned"),
                channel: conversation.channel.rawValue, to: conversation.destination, entryPoint: conversation.entryPoint)
    }

    /// `POST /v1/inbound`: a customer's message, filed into the customer's active conversation
    /// (200) or a new one linked to the earlier ones (201). `{conversation, message, match}`.
    public func receiveInbound(_ body: some Collection<UInt8>) async -> ServiceReply {
        let object: [String: JSONValue]
        switch RequestBodies.object(body, allowed: RequestBodies.inboundFields) {
        case .success(let value): object = value
        case .failure(let reply): return reply
        }
        let fields: (channel: String, from: String, to: String, body: String, subject: String?, inReplyTo: String?)
        do {
            fields = (try RequestBodies.string(object, "channel", required: true).get()!,
                      try RequestBodies.string(object, "from", required: true).get()!,
                      try RequestBodies.string(object, "to", required: true).get()!,
                      try RequestBodies.string(object, "body", required: true).get()!,
                      try RequestBodies.string(object, "subject", required: false).get(),
                      try RequestBodies.string(object, "inReplyTo", required: false).get())
        } catch {
            return .error(400, "invalid-request", error.detail, field: error.field)
        }
        guard let channel = Channel(rawValue: fields.channel) else {
            return .error(422, "channel-not-supported", "channel \"\(fields.channel)\" is not sms or email", field: "channel")
        }
        let from: String
        switch Destination.normalize(fields.from, channel: channel) {
        case .success(let normalized): from = normalized
        case .failure(let problem):
            return .error(422, "invalid-sender", "\"\(fields.from)\" is not a valid \(channel.rawValue) address (\(problem.rawValue))", field: "from")
        }
        let evaluator = policy.evaluator
        let to = (try? Destination.normalize(fields.to, channel: channel).get()) ?? fields.to
        guard let entryPoint = evaluator.policy.entryPoints.first(where: {
            $0.channel == channel && ((try? Destination.normalize($0.address, channel: channel).get()) ?? $0.address) == to
        }) else {
            return .error(422, "unknown-entry-point", "no \(channel.rawValue) entry point has the address \"\(fields.to)\"", field: "to")
        }
        let at = now()
        let subject = channel == .email ? fields.subject : nil
        let draft = InboundDraft(messageId: makeId("msg"), newConversationId: makeId("conv"), newCustomerId: makeId("cust"),
                                 channel: channel, from: from, entryPoint: entryPoint.name, body: fields.body,
                                 subject: subject, inReplyTo: channel == .email ? fields.inReplyTo : nil, now: at,
                                 consent: inboundConsent(fields.body, channel: channel, from: from, entryPoint: entryPoint.name,
                                                         subject: subject, at: at, policy: evaluator.policy))
        do {
            let outcome: InboundOutcome
            switch try await store.receiveInbound(draft, maxMessages: maxMessagesPerConversation) {
            case .appended(let filed): outcome = filed
            case .full(let full): return conversationFull(full)
            }
            if outcome.confirmation != nil { outboxSignal.notify() }
            return .json(outcome.match == .newConversation ? 201 : 200,
                         InboundReply(conversation: outcome.conversation, message: outcome.message, match: outcome.match,
                                      consent: outcome.consent, confirmation: outcome.confirmation))
        } catch {
            return storeUnavailable(error)
        }
    }

    /// The consent change an inbound text asks for (`CompiledPolicy.Consent.change(for:)`):
    /// recorded for the entry point written to, or for the whole tenant under `tenant` scope;
    /// an opt-out carries its confirmation in the tenant's default locale.
    func inboundConsent(_ text: String, channel: Channel, from: String, entryPoint: String, subject: String?, at: Date,
                        policy: CompiledPolicy) -> InboundConsent? {
        guard let change = policy.consent.change(for: text) else { return nil }
        let scope = policy.consent.scope
        let record = ConsentRecord(id: makeId("consent"), channel: channel, address: from,
                                   entryPoint: ConsentLookup.keywordEntryPoint(entryPoint, scope: scope), change: change,
                                   source: .keyword, by: .customer(from), at: at)
        let confirmation = change == .optOut
            ? MessageDraft(id: makeId("msg"), body: policy.consent.confirmation(locale: policy.locales.first ?? "en"),
                           subject: subject, template: InboundConsent.confirmationTemplate)
            : nil
        return InboundConsent(record: record, lookup: ConsentLookup(channel: channel, address: from, entryPoint: entryPoint, scope: scope),
                              confirmation: confirmation)
    }

    /// `POST /v1/conversations/{id}/operations`: conference, transfer or workflow, decided by the
    /// evaluator's operation rules alone. 200 `{decision}` when allowed, else its status.
    public func operation(conversationId: String, _ body: some Collection<UInt8>, caller: Caller = .open) async -> ServiceReply {
        let (evaluator, conversation, request): (Evaluator, ConversationRecord, Request)
        switch await conversationRequest(conversationId, body, allowed: RequestBodies.operationFields, action: .operation, caller: caller) {
        case .success(let found): (evaluator, conversation, request) = found
        case .failure(let reply): return reply
        }
        guard conversation.state == .active else { return notActive(conversation) }
        let decision = evaluator.decide(request)
        return .decision(decision, json: await record(decision, request: request, action: .operation, caller: caller))
    }

    /// `POST /v1/conversations/{id}/close`: decided by the wrap-up rules alone; when allowed the
    /// conversation is closed and its task completed, freeing the agent's slot.
    public func close(conversationId: String, _ body: some Collection<UInt8>, caller: Caller = .open) async -> ServiceReply {
        let (evaluator, request): (Evaluator, Request)
        switch await conversationRequest(conversationId, body, allowed: RequestBodies.closeFields, action: .close, caller: caller) {
        case .success(let found): (evaluator, _, request) = found
        case .failure(let reply): return reply
        }
        do {
            switch try await store.close(conversationId: conversationId, wrapUpReason: request.wrapUpReason, now: now(),
                                         decide: { _ in evaluator.decide(request) }) {
            case .done(let (decision, closed)):
                let json = await record(decision, request: request, action: .close, caller: caller)
                guard decision.allowed else { return .decision(decision, json: json) }
                do {
                    return .object(200, [("conversation", try ServiceReply.encode(closed)), ("decision", json)])
                } catch {
                    return .encodingFailed(error)
                }
            case .notFound: return notFound(conversationId)
            case .notActive(let closed): return notActive(closed)
            }
        } catch {
            return storeUnavailable(error)
        }
    }

    /// The conversation, or the 404/503 answer. Another agent's conversation is not found, as
    /// an unknown one is: its existence is not told.
    private func find(_ id: String, for caller: Caller) async -> Result<ConversationRecord, ServiceReply> {
        do {
            guard let found = try await store.conversation(id: id), caller.reaches(conversationOf: found.agentId) else {
                return .failure(notFound(id))
            }
            return .success(found)
        } catch {
            return .failure(storeUnavailable(error))
        }
    }

    /// The conversation and the evaluator request of an operation or close: 404 for an unknown
    /// conversation, 400 (`INVALID_REQUEST`) for a malformed body. The agent defaults to the
    /// conversation's own.
    private func conversationRequest(_ id: String, _ body: some Collection<UInt8>, allowed: Set<String>, action: Request.Action,
                                     caller: Caller) async -> Result<(Evaluator, ConversationRecord, Request), ServiceReply> {
        let evaluator = policy.evaluator
        let conversation: ConversationRecord
        switch await find(id, for: caller) {
        case .success(let found): conversation = found
        case .failure(let reply): return .failure(reply)
        }
        var object: [String: JSONValue]
        switch RequestBodies.object(body) {
        case .success(let value): object = value
        case .failure(let problem): return .failure(await invalid(problem, evaluator: evaluator, body: body, action: action, caller: caller))
        }
        if let problem = RequestBodies.unknownField(object, allowed: allowed) {
            return .failure(await invalid(problem, evaluator: evaluator, body: body, action: action, caller: caller))
        }
        if let agent = caller.agent, let mismatch = RequestBodies.actingAs(agent, &object) { return .failure(identityMismatch(mismatch)) }
        switch RequestBodies.request(object, action: action, defaultAgent: conversation.agentId ?? "unassigned") {
        case .success(let request): return .success((evaluator, conversation, RequestBodies.withIdentity(request, of: caller.agent)))
        case .failure(let problem): return .failure(await invalid(problem, evaluator: evaluator, body: body, action: action, caller: caller))
        }
    }

    /// `GET /v1/conversations/{id}`: the conversation, its customer and task, one page of its
    /// messages (oldest first) with the cursor of the next, and the customer's earlier conversations.
    public func conversation(id: String, page: MessagePage, caller: Caller = .open) async -> ServiceReply {
        do {
            switch try await store.conversationView(id: id, page: page) {
            case .found(var view) where caller.reaches(conversationOf: view.conversation.agentId):
                let outbound = view.messages.filter { $0.direction == .outbound && $0.attempts > 0 }.map(\.id)
                let attempts = try await store.deliveryAttempts(messageIds: outbound)
                for index in view.messages.indices where view.messages[index].direction == .outbound {
                    view.messages[index].deliveryAttempts = attempts[view.messages[index].id] ?? []
                }
                return .json(200, ConversationReply(view))
            // Another agent's conversation does not exist for this caller, whatever the cursor.
            case .unknownCursor(let conversation) where caller.reaches(conversationOf: conversation.agentId):
                return MessagePage.unknownCursor
            case .found, .unknownCursor, .notFound:
                return notFound(id)
            }
        } catch {
            return storeUnavailable(error)
        }
    }

    // MARK: Operations of the service itself

    /// `POST /v1/admin/reload` (and SIGHUP): 200 with the new revision, or 422 with the new
    /// set's diagnostics while the old revision stays in use.
    public func reload() -> ServiceReply {
        switch policy.reload() {
        case .reloaded(let previous, let revision):
            metrics.reload("reloaded")
            logger.notice("policy reloaded", metadata: ["previous": "\(previous)", "revision": "\(revision)"])
            return .json(200, ReloadReply(reloaded: true, revision: revision, previousRevision: previous, report: nil, error: nil))
        case .rejected(let kept, let diagnostics, _):
            metrics.reload("rejected")
            logger.error("policy reload rejected; keeping the old revision",
                         metadata: ["revision": "\(kept)", "errors": "\(diagnostics.count)"])
            return .json(422, ReloadReply(reloaded: false, revision: kept, previousRevision: nil,
                                          report: JSONRenderer.report(diagnostics), error: nil))
        case .unreadable(let kept, let reason):
            metrics.reload("rejected")
            logger.error("policy reload failed; keeping the old revision", metadata: ["revision": "\(kept)", "reason": "\(reason)"])
            return .json(422, ReloadReply(reloaded: false, revision: kept, previousRevision: nil, report: nil, error: reason))
        }
    }

    /// The reload answer when the server's configuration file is broken: 422 with its
    /// diagnostics; neither the configuration nor the policy was replaced.
    public func configurationRejected(_ diagnostics: [Diagnostic]) -> ServiceReply {
        metrics.reload("rejected")
        return .json(422, ReloadReply(reloaded: false, revision: policy.revision, previousRevision: nil,
                                      report: JSONRenderer.report(diagnostics), error: "the server configuration has errors"))
    }

    /// `GET /healthz`: 200 when the store reads every table it writes and its last write did
    /// not fail (`StoreHealth`), else 503 with the store's reason; with the policy revision.
    /// The gateway's state is reported, never a cause of 503: while the gateway is down the
    /// service still takes conversations, and their messages wait in the outbox.
    public func health() async -> ServiceReply {
        let storeHealth = await store.health()
        let gateway = gatewayStatus.current
        var gatewayError: String?
        if case .failing(let error) = gateway { gatewayError = error }
        guard storeHealth == .ok else {
            return .json(503, HealthReply(status: "unavailable", revision: policy.revision, store: "\(storeHealth)",
                                          gateway: gateway.name, gatewayError: gatewayError))
        }
        return .json(200, HealthReply(status: "ok", revision: policy.revision, store: "ok", gateway: gateway.name, gatewayError: gatewayError))
    }

    // MARK: The channel gateway

    /// `POST /v1/messages/{id}/status`: a delivery receipt `{"status": "delivered" | "failed",
    /// "providerMessageId"?, "error"?}`. 200 `{message}` whether or not it moved the status
    /// (a status only moves forward); 404 for an unknown or inbound message.
    public func receipt(messageId: String, _ body: some Collection<UInt8>) async -> ServiceReply {
        // No stored id holds U+0000, and PostgreSQL would refuse it in a query.
        guard !messageId.unicodeScalars.contains("\u{0}") else { return .error(404, "not-found", "no outbound message with this id") }
        let object: [String: JSONValue]
        switch RequestBodies.object(body, allowed: RequestBodies.receiptFields) {
        case .success(let value): object = value
        case .failure(let reply): return reply
        }
        let fields: (status: String, providerMessageId: String?, error: String?)
        do {
            fields = (try RequestBodies.string(object, "status", required: true).get()!,
                      try RequestBodies.string(object, "providerMessageId", required: false).get(),
                      try RequestBodies.string(object, "error", required: false).get())
        } catch {
            return .error(400, "invalid-request", error.detail, field: error.field)
        }
        guard let status = DeliveryReceipt.Status(rawValue: fields.status) else {
            return .error(400, "invalid-request", "status \"\(fields.status)\" is not delivered or failed", field: "status")
        }
        for (name, value) in [("providerMessageId", fields.providerMessageId), ("error", fields.error)] {
            if let value, value.utf8.count > RequestBodies.maxReceiptFieldBytes {
                return .error(400, "invalid-request", "\(name) is longer than \(RequestBodies.maxReceiptFieldBytes) bytes", field: name)
            }
        }
        do {
            switch try await store.applyReceipt(DeliveryReceipt(messageId: messageId, status: status, providerMessageId: fields.providerMessageId,
                                                                error: fields.error, now: now())) {
            case .notFound: return .error(404, "not-found", "no outbound message \"\(messageId)\"")
            case .applied(let message, _): return .json(200, ["message": message])
            }
        } catch {
            return storeUnavailable(error)
        }
    }

    // MARK: Errors

    func notFound(_ id: String) -> ServiceReply {
        .error(404, "not-found", "no conversation \"\(id)\"")
    }

    func notActive(_ conversation: ConversationRecord) -> ServiceReply {
        .error(409, "conversation-closed", "conversation \"\(conversation.id)\" is closed")
    }

    func conversationFull(_ conversation: ConversationRecord) -> ServiceReply {
        .error(409, "conversation-full", "conversation \"\(conversation.id)\" holds \(maxMessagesPerConversation) messages, the most it may")
    }

    func storeUnavailable(_ error: any Error) -> ServiceReply {
        metrics.storeFailure("unavailable")
        logger.error("store unavailable", metadata: ["error": "\(error)"])
        return .error(503, "store-unavailable", "the store cannot be reached; nothing was changed, retry later")
    }
}
