package textsearch

// stopwords are the English words PostgreSQL's "english" text search
// configuration ignores (the Snowball list). Terms drops them from a query
// that has other words, so both stores agree on what a query means, and so
// SQLite does not walk the posting list of "the" (in nearly every story)
// to rank a search for "the letter".
var stopwords = map[string]bool{}

func init() {
	for _, w := range []string{
		"i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
		"yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
		"they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that",
		"these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had",
		"having", "do", "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as",
		"until", "while", "of", "at", "by", "for", "with", "about", "against", "between", "into", "through",
		"during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off",
		"over", "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how",
		"all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not",
		"only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now",
	} {
		stopwords[w] = true
	}
}

// IsStopword reports whether w (lower case) is an English stop word.
func IsStopword(w string) bool { return stopwords[w] }

// OnlyStopwords reports whether a query's terms are all English stop words
// (Terms keeps them only then): PostgreSQL's index has none of them, so
// such a query finds nothing in either store, and the search page says why.
func OnlyStopwords(terms []Term) bool {
	for _, t := range terms {
		if t.CJK || !IsStopword(t.Text) {
			return false
		}
	}
	return len(terms) > 0
}
