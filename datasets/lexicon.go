package datasets

// The shared vocabulary of the embedded data. The pretraining corpus uses all of it, so a
// model pretrained on embedded-corpus has seen every word the embedded tasks use, in the
// same phrasings, the way a real language model has seen reviews and restaurant blurbs.

var (
	personNames = []string{"Anna", "Tom", "Clara", "Hugo", "Marta", "Felix", "Ida", "Oscar",
		"Nora", "Leo", "Ruth", "Emil", "Greta", "Paul", "Vera", "Jonas"}
	people = []string{"the fisherman", "the baker", "my aunt", "the old captain", "a young teacher",
		"the farmer", "our neighbour", "the merchant", "the doctor", "a sailor", "my brother",
		"the miller", "the innkeeper", "a stranger", "the blacksmith", "the children"}
	places = []string{"the harbour", "the market", "the village", "the river", "the old mill",
		"the town square", "the hills", "the station", "the forest", "the school", "the bakery",
		"the bridge", "the church", "the lighthouse", "the orchard", "the meadow"}
	things = []string{"boat", "cart", "lamp", "chair", "kettle", "basket", "letter", "coat",
		"net", "barrel", "ladder", "rope", "bell", "book", "knife", "loaf"}
	transitiveVerbs = []string{"saw", "carried", "sold", "bought", "painted", "found", "lost",
		"mended", "watched", "cleaned", "followed", "opened", "borrowed", "hid"}
	intransitiveVerbs = []string{"slept", "waited", "sang", "walked", "rested", "laughed",
		"worked", "wandered", "listened", "prayed"}
	times = []string{"in the morning", "at dawn", "after supper", "on sunday", "in the winter",
		"late at night", "before the storm", "in the spring", "at noon", "every evening"}
	weathers = []string{"the wind was cold", "the rain fell all day", "the sun was warm",
		"the sky was grey", "a fog came in from the sea", "the snow lay deep"}
	moods = []string{"happy", "tired", "angry", "worried", "calm", "proud", "hungry", "curious"}
)

// Scene vocabulary (embedded-reg). Each value of a slot has one or two surface forms; the
// forms of one value are synonyms that must count as a match.
type slotValue []string

var (
	sceneSizes  = []slotValue{{"small", "little"}, {"big", "large"}, {"tiny", "minute"}, {"huge", "enormous"}, {"old", "aged"}, {"young", "baby"}}
	sceneColors = []slotValue{{"red", "ginger"}, {"brown", "tan"}, {"black", "dark"}, {"white", "pale"}, {"grey", "gray"},
		{"golden", "yellow"}, {"spotted", "speckled"}, {"striped", "stripy"}}
	sceneAnimals = []slotValue{{"fox", "vixen"}, {"dog", "hound"}, {"cat", "tomcat"}, {"horse", "pony"}, {"goat", "billy goat"},
		{"bird", "songbird"}, {"hare", "rabbit"}, {"sheep", "ewe"}, {"duck", "drake"}}
	sceneActions = []slotValue{{"sleeping", "resting", "dozing"}, {"running", "racing"}, {"eating", "feeding"}, {"sitting", "lying"},
		{"drinking", "lapping water"}, {"hiding", "lurking"}, {"playing", "frolicking"}, {"standing", "waiting"}}
	scenePlaces = []slotValue{{"near the river", "by the river"}, {"in the barn", "inside the barn"}, {"on the hill", "on the hillside"},
		{"under the old tree", "beneath the old tree"}, {"in the garden", "among the flowers"}, {"by the road", "beside the road"},
		{"in the snow", "out in the snow"}, {"on the bridge", "upon the bridge"}}
	sceneExtras = []string{"while the bells ring", "and the sun is setting", "as a cart goes past",
		"while children watch", "and it is raining", "as the wind blows"}
)

// Review vocabulary (embedded-cls).
var (
	reviewAspects = []struct{ noun, be string }{
		{"the food", "was"}, {"the service", "was"}, {"the staff", "were"}, {"the soup", "was"},
		{"the music", "was"}, {"the prices", "were"}, {"the room", "was"}, {"the bread", "was"},
		{"the coffee", "was"}, {"the waiters", "were"}, {"the view", "was"}, {"the dessert", "was"},
	}
	positiveWords  = []string{"good", "great", "excellent", "lovely", "friendly", "delicious", "superb", "pleasant", "wonderful", "fresh"}
	negativeWords  = []string{"bad", "awful", "terrible", "poor", "rude", "bland", "dreadful", "slow", "cold", "stale"}
	intensifiers   = []string{"very", "really", "truly", "quite", "so"}
	otherSpeakers  = []string{"my friend", "my cousin", "the man at the next table", "a critic in the paper", "my aunt", "the guidebook"}
	otherVenues    = []string{"the cafe across the street", "the inn by the station", "the place we tried last year", "the pub near the harbour"}
	reviewOpeners  = []string{"we went there on a sunday", "i had lunch there with my brother", "we came in after the theatre", "i stopped by on my way home", "we booked a table for six"}
	reviewClosings = []string{"we paid and left", "i might tell my friends", "that is all i have to say", "we walked home along the river"}
)

// Restaurant vocabulary (embedded-d2t), in the style of the E2E NLG challenge.
var (
	venueNames = []string{"The Copper Kettle", "Green Lantern", "The Salty Dog", "Old Mill Inn",
		"The Red Door", "Silver Spoon", "The Quiet Owl", "Harbour Lights", "The Olive Tree",
		"Maple House", "The Brass Anchor", "Sunrise Cafe", "The Hungry Fox", "Little Napoli",
		"The Crooked Spire", "Juniper", "The Plough", "Riverside Grill", "The Velvet Pear",
		"Stone Bridge Tavern", "The Lucky Goose", "Willow Corner", "The Iron Gate", "Blue Heron",
		"The Tin Cup", "Saffron Garden", "The Wandering Ox", "Golden Harvest", "The Lantern Room",
		"Cedar Hall", "The Painted Boat", "Morning Star"}
	landmarkNames = []string{"the cathedral", "the museum", "the old bridge", "the railway station",
		"the market hall", "the town library", "the theatre", "the castle"}
	eatTypes     = []string{"restaurant", "coffee shop", "pub"}
	foods        = []string{"Italian", "French", "Chinese", "Indian", "Japanese", "English", "fast food"}
	priceRanges  = []string{"cheap", "moderate", "high"}
	ratings      = []string{"low", "average", "high"}
	areas        = []string{"city centre", "riverside"}
	familyValues = []string{"yes", "no"}
)
