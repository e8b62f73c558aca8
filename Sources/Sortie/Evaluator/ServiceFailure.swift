/// What the conversation service needs from the engine beyond `decide`.
extension Evaluator {
    /// The decision the service answers when it could not act on an allowed `start`:
    /// `code` (`TASK_CREATION_FAILED` or `AGENT_ASSIGNMENT_FAILED`) alone, in the request's locale.
    /// Warnings, profile and destination are kept from the evaluator's decision.
    public func serviceFailure(_ code: ReasonCode, of decision: Decision, locale: String?) -> Decision {
        precondition(code.facts.serviceOnly, "\(code.name) is not a service code")
        var v = Verdict()
        v.reasons.insert(code)
        var failed = decision
        failed.allowed = false
        failed.reasons = [makeReason(code, v, RequestQuotes(), locale: templates.index(of: locale))]
        return failed
    }
}
