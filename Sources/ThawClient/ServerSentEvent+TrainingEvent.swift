import JobAPI

extension ServerSentEvent {
    /// The job event this SSE message carries (`event:` the type, `data:` the payload). Throws
    /// `TrainingEvent.DecodingError.unknownType` for the stream's own messages (`end`, `shutdown`,
    /// `error`) and for types this client does not know.
    public func trainingEvent() throws -> TrainingEvent {
        try TrainingEvent(type: event ?? "message", payload: data)
    }
}
