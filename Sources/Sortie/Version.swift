/// The version of Sortie, printed by `sortie --version` and stamped into SARIF output.
public enum SortieVersion {
    public static let current = "0.1.0"
}
