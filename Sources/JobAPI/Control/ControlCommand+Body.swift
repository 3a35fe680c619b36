/// The body a client posts to `POST /v1/jobs/{id}/{action}`: the command's fields without the
/// action, which the route names. `ControlCommand.parse(action:body:)` reads it back unchanged.
extension ControlCommand {
    public struct Body: Sendable, Equatable, Encodable {
        public let action: String
        public let fields: JSONValue

        public func encode(to encoder: Encoder) throws { try fields.encode(to: encoder) }
    }

    public var body: Body { Body(action: action, fields: .object(bodyFields)) }
}
