import ArgumentParser
import GuestAccessCLI

/// Entry point: parsing and everything after it live in GuestAccessCLI.
@main
struct Main {
    static func main() async {
        await GuestAccessCommand.main()
    }
}
