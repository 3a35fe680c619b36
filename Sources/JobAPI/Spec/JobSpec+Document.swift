extension JobSpec {
    /// Reads a spec from a document already parsed (a stored spec, a request body), reporting every
    /// structural problem, so a caller holding the JSON never parses its text again.
    public static func parse(_ document: JSONValue) -> Result<JobSpec, SpecError> {
        let log = ProblemLog()
        guard let spec = read(document, path: "", log: log), log.problems.isEmpty else {
            return .failure(SpecError(problems: log.problems))
        }
        return .success(spec)
    }
}
