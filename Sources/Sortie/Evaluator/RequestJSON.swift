/// A request written back as JSON (the decision log, services that forward requests): the
/// fields `RequestField` declares, keys sorted, those absent or at their default left out.
extension Request {
    /// The request as one line of JSON.
    public var json: String { String(decoding: jsonBytes, as: UTF8.self) }

    public var jsonBytes: [UInt8] {
        var w = JSONWriter(capacity: 192)
        write(&w)
        return w.bytes
    }

    /// Writes the request as a JSON object.
    public func write(_ w: inout JSONWriter) {
        w.object { o in
            for field in RequestField.topLevelByKey { member(field, &o) }
        }
    }

    private func member(_ field: RequestField, _ o: inout JSONWriter.ObjectWriter) {
        let spec = field.spec
        switch spec.type {
        case .string:
            if let path = spec.text, let text = self[keyPath: path] { o.member(spec.key) { $0.string(text) } }
        case .boolean:
            if let path = spec.flag, self[keyPath: path] { o.member(spec.key) { $0.bool(true) } }
        case .action:
            o.member(spec.key) { $0.string(action.rawValue) }
        case .operation:
            if let operation { o.member(spec.key) { $0.string(operation.rawValue) } }
        case .counts:
            guard !activeOutbound.isEmpty else { return }
            o.member(spec.key) { w in
                w.object { counts in
                    for (channel, count) in activeOutbound.sorted(by: { $0.key < $1.key }) {
                        counts.member(channel) { $0.integer(count) }
                    }
                }
            }
        case .agent:
            o.member(spec.key) { w in
                w.object { a in
                    for field in RequestField.agentFieldsByKey {
                        if field == .agentID {
                            a.member(field.spec.key) { $0.string(agent.id) }
                        } else if let path = field.spec.text, let text = self[keyPath: path] {
                            a.member(field.spec.key) { $0.string(text) }
                        }
                    }
                }
            }
        }
    }
}
