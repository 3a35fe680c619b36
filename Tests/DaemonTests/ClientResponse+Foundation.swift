import Foundation
import ThawClient

/// Loose JSON for assertions on bodies the tests need no type for.
extension ClientResponse {
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    }
}
