/// A request written back as SPEC §2's JSON (for logs and for services that forward requests):
/// fields that are absent or at their default are left out, `agent` first-level fields as given.
extension Request: Encodable {
    private enum Key: String, CodingKey {
        case id, action, locale, agent, activeOutbound, channel, to, entryPoint, subject, destinationActive, subjectUsed,
             operation, trigger, wrapUpReason
    }
    private enum AgentKey: String, CodingKey { case id, license, state, team, site }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(action.rawValue, forKey: .action)
        try c.encodeIfPresent(locale, forKey: .locale)
        var a = c.nestedContainer(keyedBy: AgentKey.self, forKey: .agent)
        try a.encode(agent.id, forKey: .id)
        try a.encodeIfPresent(agent.license, forKey: .license)
        try a.encodeIfPresent(agent.state, forKey: .state)
        try a.encodeIfPresent(agent.team, forKey: .team)
        try a.encodeIfPresent(agent.site, forKey: .site)
        if !activeOutbound.isEmpty { try c.encode(activeOutbound, forKey: .activeOutbound) }
        try c.encodeIfPresent(channel, forKey: .channel)
        try c.encodeIfPresent(to, forKey: .to)
        try c.encodeIfPresent(entryPoint, forKey: .entryPoint)
        try c.encodeIfPresent(subject, forKey: .subject)
        if destinationActive { try c.encode(true, forKey: .destinationActive) }
        if subjectUsed { try c.encode(true, forKey: .subjectUsed) }
        try c.encodeIfPresent(operation?.rawValue, forKey: .operation)
        try c.encodeIfPresent(trigger, forKey: .trigger)
        try c.encodeIfPresent(wrapUpReason, forKey: .wrapUpReason)
    }
}
