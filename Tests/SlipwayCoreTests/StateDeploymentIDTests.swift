import Foundation
import Testing
@testable import SlipwayCore

@Suite struct StateDeploymentIDTests {
    @Test func randomIDsHaveTheCodeDeployShapeAndDiffer() {
        let ids = (0..<200).map { _ in DeploymentID.random() }
        for id in ids {
            #expect(id.rawValue.count == 11)
            #expect(id.rawValue.hasPrefix("d-"))
            #expect(id.rawValue.dropFirst(2).allSatisfy { $0.isUppercase || $0.isNumber })
            #expect(DeploymentID(rawValue: id.rawValue) == id)
        }
        #expect(Set(ids).count == ids.count)
    }

    @Test func parseNormalisesWhatPeopleTypeAndRejectsTheRest() throws {
        #expect(try DeploymentID.parse(" d-ab12cd34e\n").rawValue == "d-AB12CD34E")
        #expect(try DeploymentID.parse("D-AB12CD34E").rawValue == "d-AB12CD34E")
        for bad in ["", "d-", "d-AB12CD34", "d-AB12CD34EF", "x-AB12CD34E", "d-AB12CD3_E", "dAB12CD34E1"] {
            #expect(throws: StateError.invalidDeploymentID(bad)) { try DeploymentID.parse(bad) }
        }
        #expect(DeploymentID(rawValue: "d-ab12cd34e") == nil)  // the strict form is uppercase
    }

    @Test func codableAsAPlainStringAndStrictOnDecode() throws {
        let id = try DeploymentID.parse("d-AB12CD34E")
        #expect(try JSONEncoder().encode([id]) == Data(#"["d-AB12CD34E"]"#.utf8))
        #expect(try JSONDecoder().decode([DeploymentID].self, from: Data(#"["d-AB12CD34E"]"#.utf8)) == [id])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([DeploymentID].self, from: Data(#"["d-nope"]"#.utf8))
        }
    }
}
