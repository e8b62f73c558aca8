import Foundation
import SortieAccess

/// How the dispatcher reaches the channel gateway: `spec.gateway` of the server configuration,
/// with the webhook secret its pushes are signed with.
public struct GatewaySettings: Sendable {
    public var url: String
    /// How long one push may take, connection included.
    public var timeout: Duration
    /// Pushes of one message before it is failed.
    public var maxAttempts: Int
    /// The longest wait between two pushes of one message.
    public var maxBackoff: Duration
    /// Signs each push (Standard Webhooks, `webhook-id` = the message id).
    public var signer: WebhookVerifier

    public init(url: String, timeout: Duration, maxAttempts: Int, maxBackoff: Duration, signer: WebhookVerifier) {
        self.url = url
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.maxBackoff = maxBackoff
        self.signer = signer
    }

    /// How long a claim holds its message: past the push's timeout, with room for writing its
    /// outcome, so that a live dispatcher keeps its message and a dead one's is taken over soon.
    public var lease: Duration { timeout * 2 + .seconds(5) }
}
