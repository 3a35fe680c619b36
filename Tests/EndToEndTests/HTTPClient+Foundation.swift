import Foundation
import ThawClient

/// The tests read and write loose JSON with Foundation: they probe the server with bodies no request
/// type would let them build (unknown fields, wrong types). The client itself speaks JobAPI types.
extension ClientResponse {
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    }
}

extension HTTPClient {
    func post(_ path: String, json: Any) throws -> ClientResponse {
        try post(path, rawJSON: Array(JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])))
    }
}
